"""The CLI on a real terminal (a pty) and in pipes: the hidden password prompt, and `predict` of files of any
length: batched within the node's limits, output in input order as it comes, a progress bar only on a
terminal, a reader that stops early (`| head`) ending it quietly."""
import csv
import io
import os
import select
import signal
import subprocess
import termios
import time

from conftest import BINARY, PASSWORD, push, predictions_of, rows_of, trial_api


def echo_is_on(fd):
    return bool(termios.tcgetattr(fd)[3] & termios.ECHO)


def wait_for(condition, seconds=30):
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.01)


class Terminal:
    """A pty whose slave side the command gets; the test reads the master side."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        self.seen = b""

    def read(self, until=None, process=None, seconds=60):
        """Reads until `until` shows, or until `process` has exited and nothing is left."""
        deadline = time.time() + seconds
        while until is None or until not in self.seen:
            assert time.time() < deadline, self.seen
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                self.seen += os.read(self.master, 65536)
            elif process is not None and process.poll() is not None:
                break
        return self.seen

    def close(self):
        os.close(self.master)
        os.close(self.slave)


def login_on_a_terminal(cli, terminal):
    return subprocess.Popen([BINARY, "login", "--url", cli.url, "--user", "admin"], stdin=terminal.slave,
                            stdout=terminal.slave, stderr=terminal.slave, env=cli.env, start_new_session=True)


def test_login_asks_for_the_password_on_a_terminal_and_does_not_show_it(cli):
    terminal = Terminal()
    try:
        process = login_on_a_terminal(cli, terminal)
        assert terminal.read(until=b"Password: ").endswith(b"Password: ")
        wait_for(lambda: not echo_is_on(terminal.slave))
        os.write(terminal.master, PASSWORD.encode() + b"\n")
        assert process.wait(timeout=60) == 0
        seen = terminal.read(process=process)
        assert PASSWORD.encode() not in seen, seen
        assert b"Logged in to " + cli.url.encode() + b" as admin" in seen, seen
        assert echo_is_on(terminal.slave), "the terminal is given back as it was"
    finally:
        terminal.close()
    assert cli.json("whoami")["name"] == "admin"


def test_a_signal_at_the_prompt_gives_the_terminal_back(cli):
    for number in [signal.SIGINT, signal.SIGTERM]:
        terminal = Terminal()
        try:
            process = login_on_a_terminal(cli, terminal)
            terminal.read(until=b"Password: ")
            wait_for(lambda: not echo_is_on(terminal.slave))
            process.send_signal(number)
            assert process.wait(timeout=30) == -number, "it dies of the signal, as the shell expects"
            assert echo_is_on(terminal.slave), f"echo is back on after {number!r}"
        finally:
            terminal.close()


def test_login_reads_one_line_from_a_pipe_without_a_prompt(cli):
    result = cli.run("login", "--url", cli.url, "--user", "admin", stdin=PASSWORD + "\nnot read\n")
    assert result.stderr == "" and "Logged in" in result.stdout


def five_thousand_rows():
    """5,000 rows (the test rows, the same with missing values, both reversed, then the test rows even ones
    first) and xgboost's own probabilities for each."""
    header, rows = rows_of("X_test.csv")
    _, nan_rows = rows_of("X_test_nan.csv")
    pred, pred_nan = predictions_of("pred.csv"), predictions_of("pred_nan.csv")
    rows_out = rows + nan_rows + rows[::-1] + nan_rows[::-1] + rows[::2] + rows[1::2]
    expected = pred + pred_nan + pred[::-1] + pred_nan[::-1] + pred[::2] + pred[1::2]
    assert len(rows_out) == len(expected) == 5000
    return header, rows_out, expected


def write_csv(path, header, rows):
    path.write_text("\n".join(",".join(row) for row in [header] + rows) + "\n")
    return str(path)


def requests_used(cli, api_id):
    return cli.json("apis", "show", api_id)["requests_used"]


def test_predict_of_5000_rows_answers_every_row_in_input_order(logged_in, tmp_path):
    cli = logged_in
    api = trial_api(cli, push(cli, "five-thousand")["model_id"])
    header, rows, expected = five_thousand_rows()
    path = write_csv(tmp_path / "rows.csv", header, rows)
    result = cli.run("predict", api["api_id"], path, "--key", api["api_key"]["secret"], "--format", "csv")
    answer = list(csv.reader(io.StringIO(result.stdout)))
    assert answer[0] == ["label", "p_0", "p_1"] and len(answer) == 5001
    assert all(abs(float(row[2]) - e) <= 1e-6 for row, e in zip(answer[1:], expected))
    assert result.stderr == "", "no progress bar when standard error is not a terminal"
    assert requests_used(cli, api["api_id"]) == 5, "1,000 rows a request: the node's row limit"


def test_predict_keeps_each_request_within_the_body_limit(logged_in, tmp_path):
    """Rows of about 1.4 KB (values written with many trailing zeros): 1,000 of them would pass the node's
    1 MiB body limit, so batches are cut by bytes first, each as full as the limit allows."""
    cli = logged_in
    api = trial_api(cli, push(cli, "wide-rows")["model_id"])
    header, rows = rows_of("X_test.csv")
    padded = [[value + "0" * 40 if "." in value and "e" not in value else value for value in row] for row in rows * 2]
    path = write_csv(tmp_path / "wide.csv", header, padded)
    answer = list(csv.reader(io.StringIO(
        cli.run("predict", api["api_id"], path, "--key", api["api_key"]["secret"], "--format", "csv").stdout)))
    expected = predictions_of("pred.csv") * 2
    assert len(answer) == 2001 and all(abs(float(row[2]) - e) <= 1e-6 for row, e in zip(answer[1:], expected))
    # The batches a greedy cut at 1 MiB gives: one request each, none refused.
    header_bytes, batches, size, count = len(",".join(header)) + 1, 0, 0, 0
    for row in padded:
        grown = size + len(",".join(row)) + 1
        if count == 0 or grown > (1 << 20) or count == 1000:
            batches, size, count = batches + 1, header_bytes + len(",".join(row)) + 1, 1
        else:
            size, count = grown, count + 1
    assert batches == 3 and requests_used(cli, api["api_id"]) == batches


def test_predict_streams_into_head_and_stops_early(logged_in, tmp_path):
    """`predict … | head -3` of 5,000 rows: three lines, exit 0, nothing on standard error, and not every
    batch sent (the output streams: the first batches reach `head`, which closes the pipe)."""
    cli = logged_in
    api = trial_api(cli, push(cli, "head")["model_id"])
    header, rows, _ = five_thousand_rows()
    path = write_csv(tmp_path / "rows.csv", header, rows)
    for output in ["table", "csv", "json"]:
        before = requests_used(cli, api["api_id"])
        script = f'"$0" predict {api["api_id"]} "$1" --format {output} | head -3; echo "exit=${{PIPESTATUS[0]}}" >&2'
        result = subprocess.run(["bash", "-c", script, BINARY, path], capture_output=True, text=True,
                                env=dict(cli.env, SIBYL_API_KEY=api["api_key"]["secret"]), timeout=120)
        assert len(result.stdout.splitlines()) == 3, (output, result.stdout)
        assert result.stderr == "exit=0\n", (output, result.stderr)
        assert requests_used(cli, api["api_id"]) - before <= 3, output


def test_predict_shows_a_progress_bar_only_on_a_terminal(logged_in, tmp_path):
    cli = logged_in
    api = trial_api(cli, push(cli, "progress")["model_id"])
    header, rows, _ = five_thousand_rows()
    path = write_csv(tmp_path / "rows.csv", header, rows)
    terminal = Terminal()
    try:
        with open(tmp_path / "out.csv", "wb") as out:
            process = subprocess.Popen([BINARY, "predict", api["api_id"], path, "--format", "csv"], stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=terminal.slave, env=dict(cli.env, SIBYL_API_KEY=api["api_key"]["secret"]))
            seen = terminal.read(process=process)
            assert process.wait(timeout=60) == 0, seen
    finally:
        terminal.close()
    assert b"Predicting [" in seen and b"1000/5000 rows" in seen and b"100% 5000/5000 rows" in seen, seen
    printed = (tmp_path / "out.csv").read_bytes()
    assert len(printed.splitlines()) == 5001 and b"\x1b" not in printed and b"Predicting" not in printed
    # The same with standard error a pipe: no bar, nothing at all.
    piped = cli.run("predict", api["api_id"], path, "--format", "csv", env={"SIBYL_API_KEY": api["api_key"]["secret"]})
    assert piped.stderr == "" and len(piped.stdout.splitlines()) == 5001
