-- wrk script: POST the body read once from $BODY_FILE, with $API_KEY (if set) as X-Api-Key.
local f = assert(io.open(os.getenv("BODY_FILE") or error("set BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("API_KEY")
if key and key ~= "" then wrk.headers["X-Api-Key"] = key end
