/* echo-server: the one test image behind every container test (see README.md next to it).
 * Static, no libraries, so the image is this binary and nothing else; the subcommands stand in
 * for the shell tools a test would otherwise exec inside the container. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEAD 16384
#define MAX_BODY (1 << 20)
#define NOT_READY_FILE "/tmp/not-ready"

struct request {
    char method[16], target[4096], *path, *query;
    char *names[64], *values[64];
    int nheaders, keep_alive;
    char *body;
    size_t body_len;
};

static char head[MAX_HEAD + 1];
static size_t head_len;

static void on_sigterm(int sig) { (void)sig; _exit(0); }

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) == -1 && errno == EINTR) {}
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w; n -= (size_t)w;
    }
    return 0;
}

/* Reads until `want` bytes are buffered; bytes beyond the current request stay for the next one. */
static int fill(int fd, char *buf, size_t *len, size_t cap, size_t want) {
    while (*len < want) {
        if (*len >= cap) return -1;
        ssize_t r = read(fd, buf + *len, cap - *len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        *len += (size_t)r;
    }
    return 0;
}

static const char *header(struct request *rq, const char *name) {
    for (int i = 0; i < rq->nheaders; i++)
        if (strcasecmp(rq->names[i], name) == 0) return rq->values[i];
    return NULL;
}

/* Returns the header block's length (including the blank line) or -1 when the peer went away. */
static long read_head(int fd) {
    for (;;) {
        head[head_len] = 0;
        char *end = strstr(head, "\r\n\r\n");
        if (end) return end + 4 - head;
        if (head_len >= MAX_HEAD) return -1;
        ssize_t r = read(fd, head + head_len, MAX_HEAD - head_len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        head_len += (size_t)r;
    }
}

static int parse(struct request *rq, long head_size) {
    head[head_size - 2] = 0;
    char *line = head, *next = strstr(line, "\r\n");
    *next = 0;
    char version[16] = "";
    if (sscanf(line, "%15s %4095s %15s", rq->method, rq->target, version) != 3) return -1;
    rq->path = rq->target;
    rq->query = strchr(rq->target, '?');
    if (rq->query) *rq->query++ = 0;
    rq->nheaders = 0;
    for (line = next + 2; *line && rq->nheaders < 64; line = next + 2) {
        next = strstr(line, "\r\n");
        *next = 0;
        char *colon = strchr(line, ':');
        if (!colon) return -1;
        *colon = 0;
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t') value++;
        for (char *c = line; *c; c++) if (*c >= 'A' && *c <= 'Z') *c += 32;
        rq->names[rq->nheaders] = line;
        rq->values[rq->nheaders++] = value;
    }
    const char *conn = header(rq, "connection");
    rq->keep_alive = strcmp(version, "HTTP/1.1") == 0 ? !(conn && strcasecmp(conn, "close") == 0)
                                                      : (conn && strcasecmp(conn, "keep-alive") == 0);
    return 0;
}

/* Moves the body out of the read buffer: Content-Length, or chunked decoded in place. */
static int read_body(int fd, struct request *rq, long head_size) {
    static char buf[MAX_BODY + MAX_HEAD];
    size_t len = head_len - (size_t)head_size, pos = 0;
    memcpy(buf, head + head_size, len);
    const char *te = header(rq, "transfer-encoding"), *cl = header(rq, "content-length");
    rq->body = buf;
    rq->body_len = 0;
    if (te && strcasecmp(te, "chunked") == 0) {
        for (size_t size = 1; size > 0; pos += size + 2) { /* trailers are not supported */
            char *eol;
            while (!(eol = memmem(buf + pos, len - pos, "\r\n", 2)))
                if (fill(fd, buf, &len, sizeof buf, len + 1)) return -1;
            size = strtoul(buf + pos, NULL, 16);
            pos = (size_t)(eol - buf) + 2;
            if (rq->body_len + size > MAX_BODY || fill(fd, buf, &len, sizeof buf, pos + size + 2)) return -1;
            memmove(buf + rq->body_len, buf + pos, size);
            rq->body_len += size;
        }
    } else if (cl) {
        rq->body_len = strtoul(cl, NULL, 10);
        if (rq->body_len > MAX_BODY || fill(fd, buf, &len, sizeof buf, rq->body_len)) return -1;
        pos = rq->body_len;
    }
    head_len = len - pos;
    if (head_len > MAX_HEAD) return -1;
    memmove(head, buf + pos, head_len);
    return 0;
}

static void json_string(FILE *out, const char *s, size_t n) {
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

static void json_cstring(FILE *out, const char *s) { json_string(out, s ? s : "", s ? strlen(s) : 0); }

static int respond(int fd, struct request *rq, int status, const char *type, const char *body, size_t len) {
    char hdr[256];
    int n = snprintf(hdr, sizeof hdr, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
                     status, status == 200 ? "OK" : "Service Unavailable",
                     type, len, rq->keep_alive ? "" : "Connection: close\r\n");
    return write_all(fd, hdr, (size_t)n) || write_all(fd, body, len) ? -1 : status;
}

static int stream(int fd) {
    const char *hdr = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";
    if (write_all(fd, hdr, strlen(hdr))) return -1;
    for (int i = 1; i <= 5; i++) {
        char chunk[64];
        int n = snprintf(chunk, sizeof chunk, "8\r\nchunk %d\n\r\n", i);
        if (write_all(fd, chunk, (size_t)n)) return -1;
        if (i < 5) sleep_ms(200);
    }
    return write_all(fd, "0\r\n\r\n", 5) ? -1 : 200;
}

/* What a hostile image would answer: cookies for the gateway's origin, a wipe of its site data, a service
 * worker scope over the whole origin, a header named hop-by-hop by Connection, and a page with a script. */
static int hostile(int fd, struct request *rq) {
    const char *body = "<!doctype html><script>fetch('/api/v1/me')</script>";
    char hdr[512];
    int n = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n"
                     "Set-Cookie: sibyl_session=planted; Path=/\r\nClear-Site-Data: \"cookies\"\r\n"
                     "Service-Worker-Allowed: /\r\nConnection: X-Hop-Secret\r\nX-Hop-Secret: 1\r\nX-Kept: 1\r\n%s\r\n",
                     strlen(body), rq->keep_alive ? "" : "Connection: close\r\n");
    return write_all(fd, hdr, (size_t)n) || write_all(fd, body, strlen(body)) ? -1 : 200;
}

static int echo(int fd, struct request *rq) {
    char *json = NULL, host[256] = "";
    size_t len = 0;
    FILE *out = open_memstream(&json, &len);
    gethostname(host, sizeof host - 1);
    fputs("{\"method\":", out); json_cstring(out, rq->method);
    fputs(",\"path\":", out); json_cstring(out, rq->path);
    fputs(",\"query\":", out); json_cstring(out, rq->query);
    fputs(",\"replica\":", out); json_cstring(out, getenv("REPLICA") ? getenv("REPLICA") : host);
    fputs(",\"headers\":{", out);
    for (int i = 0; i < rq->nheaders; i++) {
        if (i) fputc(',', out);
        json_cstring(out, rq->names[i]); fputc(':', out); json_cstring(out, rq->values[i]);
    }
    fputs("},\"body\":", out); json_string(out, rq->body, rq->body_len);
    fputs("}\n", out);
    fclose(out);
    int status = respond(fd, rq, 200, "application/json", json, len);
    free(json);
    return status;
}

static void serve(int fd) {
    struct request rq;
    head_len = 0;
    for (;;) {
        long size = read_head(fd);
        if (size < 0 || parse(&rq, size) || read_body(fd, &rq, size)) break;
        int status;
        if (strcmp(rq.path, "/healthz") == 0) status = respond(fd, &rq, 200, "text/plain", "ok", 2);
        else if (strcmp(rq.path, "/ready") == 0) {
            const char *never = getenv("NEVER_READY");
            int ready = access(NOT_READY_FILE, F_OK) != 0 && !(never && strcmp(never, "1") == 0);
            status = respond(fd, &rq, ready ? 200 : 503, "text/plain", ready ? "ready" : "not ready", ready ? 5 : 9);
        } else if (strcmp(rq.path, "/stream") == 0) status = stream(fd);
        else if (strcmp(rq.path, "/hostile") == 0) status = hostile(fd, &rq);
        else status = echo(fd, &rq);
        printf("%s %s %d\n", rq.method, rq.path, status);
        fflush(stdout);
        if (status < 0 || !rq.keep_alive) break;
    }
    close(fd);
}

/* Exit 0 when a TCP connection to an IPv4 address opens within 2 s, 1 otherwise. */
static int connect_to(const char *host, const char *port) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port))};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || inet_pton(AF_INET, host, &addr.sin_addr) != 1) return 2;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) return 0;
    if (errno != EINPROGRESS) return 1;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int error = 0;
    socklen_t len = sizeof error;
    if (poll(&p, 1, 2000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) || error) return 1;
    return 0;
}

/* `echo-server touch|rm PATH`, `exit N`, `sleep MS` and `connect IPV4 PORT`: what tests run through exec. */
static int subcommand(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "touch") == 0) {
        FILE *f = fopen(argv[2], "a");
        return f && fclose(f) == 0 ? 0 : 1;
    }
    if (argc == 3 && strcmp(argv[1], "rm") == 0) return unlink(argv[2]) == 0 || errno == ENOENT ? 0 : 1;
    if (argc == 3 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
    if (argc == 3 && strcmp(argv[1], "sleep") == 0) {
        sleep_ms(atol(argv[2]));
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "connect") == 0) return connect_to(argv[2], argv[3]);
    fprintf(stderr, "usage: echo-server [touch PATH | rm PATH | exit N | sleep MS | connect IPV4 PORT]\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc > 1) return subcommand(argc, argv);
    signal(SIGTERM, on_sigterm);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_IGN); /* forked connection handlers reap themselves */
    const char *crash = getenv("CRASH");
    if (crash && strcmp(crash, "1") == 0) {
        fprintf(stderr, "crashing on purpose\n");
        return 3;
    }
    if (getenv("START_DELAY_MS")) sleep_ms(atol(getenv("START_DELAY_MS")));
    int port = getenv("PORT") ? atoi(getenv("PORT")) : 8080, one = 1;
    int srv = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) || listen(srv, 128)) {
        perror("echo-server: listen");
        return 1;
    }
    printf("listening on %d\n", port);
    fflush(stdout);
    for (;;) {
        int fd = accept(srv, NULL, NULL);
        if (fd < 0) continue;
        // Headers and body go out in separate writes: without this, Nagle's algorithm holds the body until
        // the client's delayed ACK, 40 ms per request.
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (fork() == 0) {
            close(srv);
            serve(fd);
            _exit(0);
        }
        close(fd);
    }
}
