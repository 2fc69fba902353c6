# Asks botocore (AWS's reference client) which tracing and retry headers it sends on each attempt,
# and whether it signs them: a local server answers 500 to every attempt (standard retries,
# max_attempts 3 = 4 attempts in botocore's terms). Recorded in request_headers.json with
#   python -m venv /tmp/bc && /tmp/bc/bin/pip install botocore==1.44.8
#   /tmp/bc/bin/python tests/data/botocore/request_headers.py > tests/data/botocore/request_headers.json
import json, os, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
import botocore.session
from botocore.config import Config

captured = []
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        captured.append({k.lower(): v for k, v in self.headers.items()})
        self.send_response(500); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *a): pass
srv = HTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()

def run(env, trace):
    for k in ("AWS_LAMBDA_FUNCTION_NAME", "_X_AMZN_TRACE_ID"):
        os.environ.pop(k, None)
    if env: os.environ["AWS_LAMBDA_FUNCTION_NAME"] = "fn"
    if trace is not None: os.environ["_X_AMZN_TRACE_ID"] = trace
    captured.clear()
    s = botocore.session.get_session()
    c = s.create_client("lambda", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="S", endpoint_url="http://127.0.0.1:%d" % srv.server_port,
        config=Config(retries={"mode": "standard", "max_attempts": 3}))
    try: c.get_durable_execution(DurableExecutionArn="arn:aws:lambda:us-east-1:1:function:f:$LATEST/durable-execution/a/b")
    except Exception: pass
    env_out = {k: os.environ[k] for k in ("AWS_LAMBDA_FUNCTION_NAME", "_X_AMZN_TRACE_ID") if k in os.environ}
    return {"env": env_out, "attempts": [{k: r.get(k) for k in ("x-amzn-trace-id", "amz-sdk-invocation-id", "amz-sdk-request")} | {"signed": r["authorization"].split("SignedHeaders=")[1].split(",")[0]} for r in captured]}

out = {
  "in_lambda": run(True, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
  "outside_lambda": run(False, "Root=1-5759e988-bd862e3fe1be46a994272793"),
  "encoded": run(True, "Root=1 ü\t\"x\",'y'+&[]{}:<>%/?#"),
}
print(json.dumps(out, indent=1, ensure_ascii=False))
