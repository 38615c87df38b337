"""Drives the simulator's /docs page in headless Chromium, over the DevTools
protocol on a pipe (--remote-debugging-pipe: fd 3 to the browser, fd 4 back;
the standard library is enough), and makes the page's "Try it out" calls
through its own interceptors: login (a form POST), then listZones.

Usage: try_it_out.py CHROMIUM BASE_URL, with the admin's password in
MARVIN_DOCS_PASSWORD. Prints one JSON object: what the calls answered and
where the interceptor sent them.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading

chromium, base = sys.argv[1], sys.argv[2]
password = os.environ["MARVIN_DOCS_PASSWORD"]

to_browser_r, to_browser_w = os.pipe()
from_browser_r, from_browser_w = os.pipe()


def wire_pipes():
    # Through copies: the pipes may already be fds 3 and 4, and a dup2 onto
    # itself would keep them closed on exec.
    reads, writes = os.dup(to_browser_r), os.dup(from_browser_w)
    os.dup2(reads, 3)
    os.dup2(writes, 4)


profile = tempfile.mkdtemp()
browser = subprocess.Popen(
    [
        chromium,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--remote-debugging-pipe",
        f"--user-data-dir={profile}",
        "about:blank",
    ],
    preexec_fn=wire_pipes,
    close_fds=False,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
os.close(to_browser_r)
os.close(from_browser_w)
watchdog = threading.Timer(90, browser.kill)
watchdog.start()

buffer = b""
next_id = 0


def call(method, params=None, session=None):
    """Sends one command and returns its result, skipping events."""
    global buffer, next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_browser_w, json.dumps(message).encode() + b"\0")
    while True:
        while b"\0" not in buffer:
            chunk = os.read(from_browser_r, 65536)
            if not chunk:
                raise SystemExit(f"the browser closed the pipe during {method}")
            buffer += chunk
        raw, buffer = buffer.split(b"\0", 1)
        answer = json.loads(raw)
        if answer.get("id") == next_id:
            if "error" in answer:
                raise SystemExit(f"{method}: {answer['error']}")
            return answer["result"]


SCRIPT = """
(async () => {
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  for (let i = 0; i < 300 && !(window.ui && document.querySelector(".opblock-tag")); i++) {
    await sleep(100);
  }
  // What swagger-ui hands the interceptors: the operation's own path and
  // parameters; what comes back goes through the response interceptor.
  const send = async (request) => {
    request = requestInterceptor(request);
    const answer = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      credentials: request.credentials,
    });
    const body = await answer.json();
    responseInterceptor({ status: answer.status, body });
    return { status: answer.status, url: request.url, body };
  };
  const origin = window.location.origin;
  const form = new URLSearchParams({ username: "admin", password: PASSWORD, domain: "/" });
  const login = await send({
    url: origin + "/client/api/login?command=login",
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  const zones = await send({
    url: origin + "/client/api/listZones?command=listZones",
    method: "GET",
    headers: {},
  });
  return {
    rendered: !!document.querySelector("#operations-tag-Zone, #operations-tag-Account"),
    login_status: login.status,
    login_url: login.url.replace(/sessionkey=[^&]*/, "sessionkey=..."),
    zones_status: zones.status,
    zones_url: zones.url.replace(/sessionkey=[^&]*/, "sessionkey=..."),
    zones_sent_key: new URL(zones.url).searchParams.get("sessionkey") === sessionStorage.getItem("marvin.sessionkey"),
    zones_count: (zones.body.listzonesresponse || {}).count,
    session_state: document.getElementById("session-state").textContent,
  };
})()
"""

try:
    target = call("Target.createTarget", {"url": base + "/docs"})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    # Wait until the page itself (not the blank one before it) has loaded.
    for _ in range(300):
        try:
            state = call(
                "Runtime.evaluate",
                {"expression": "location.pathname + ' ' + document.readyState", "returnByValue": True},
                session,
            )["result"].get("value")
        except SystemExit:
            state = None
        if state == "/docs complete":
            break
        threading.Event().wait(0.1)
    else:
        raise SystemExit(f"the page did not load: {state}")
    result = call(
        "Runtime.evaluate",
        {
            "expression": SCRIPT.replace("PASSWORD", json.dumps(password)),
            "awaitPromise": True,
            "returnByValue": True,
        },
        session,
    )
    if "exceptionDetails" in result:
        raise SystemExit(f"the page's script failed: {result['exceptionDetails']}")
    print(json.dumps(result["result"]["value"]))
finally:
    watchdog.cancel()
    browser.kill()
    browser.wait()
