"""Authentication against the live server, as a hostile caller tries it (issue 14, items 3-4).

JWTs are minted by hand here (HS256 with hmac and the server's own secret file), so every claim
can be given a wrong type, a wrong alg or a duplicate: RFC 7519 / 7515 say what must be refused.
API keys come from a keys file; the file decides, whatever the key looks like, and a file with a
repeated key or a malformed line stops the server at start-up, naming the file and the line.
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import tempfile
import time

import grpc
import pytest

from conftest import Api, mint, start_spindle, stop_and_check
from spindle_proc import default_binary
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
C = grpc.StatusCode


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hand_token(secret, header, claims):
    """HEADER and CLAIMS are JSON text exactly as sent (so duplicates and odd types survive)."""
    signing = f"{b64(header.encode())}.{b64(claims.encode())}"
    mac = hmac.new(secret, signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{b64(mac)}"


def secret_of(server):
    return open(os.path.join(server.data_dir, "auth", "jwt-secret"), "rb").read().strip()


def call(channel, token):
    """ListWorkflows with TOKEN: the tenant it ran as (from a workflow it creates) or the error."""
    api = Api(channel, token)
    try:
        w = api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=wf.Workflow(name="probe")))
        return w.id
    except grpc.RpcError as e:
        return e


@pytest.fixture
def server(target):
    """The session's spindle (conftest): its secret file signs the hand-made tokens."""
    return target.server


@pytest.fixture
def chan(channel):
    return channel


HS = '{"alg":"HS256","typ":"JWT"}'


def test_a_string_exp_in_the_past_is_refused(server, chan):
    # The bug seen on main: a string is not a NumericDate, and was taken for "no exp".
    token = hand_token(secret_of(server), HS, '{"tenant":"acme","exp":"1000000000"}')
    err = call(chan, token)
    assert isinstance(err, grpc.RpcError), "a JWT whose exp is a string was accepted"
    assert err.code() == C.UNAUTHENTICATED
    assert 'claim "exp" must be a NumericDate' in err.details() and "not a string" in err.details(), err.details()


@pytest.mark.parametrize("header,claims,reason", [
    (HS, '{"tenant":"acme","exp":"9999999999"}', 'claim "exp" must be a NumericDate'),
    (HS, '{"tenant":"acme","exp":true}', 'claim "exp" must be a NumericDate (a JSON number of seconds since 1970), not a boolean'),
    (HS, '{"tenant":"acme","exp":null}', 'claim "exp" must be a NumericDate (a JSON number of seconds since 1970), not null'),
    (HS, '{"tenant":"acme","exp":{"s":1}}', 'claim "exp" must be a NumericDate (a JSON number of seconds since 1970), not an object'),
    (HS, '{"tenant":"acme","nbf":"0"}', 'claim "nbf" must be a NumericDate'),
    (HS, '{"tenant":"acme","iat":"0"}', 'claim "iat" must be a NumericDate'),
    (HS, '{"tenant":"acme","exp":1000000000.5}', "JWT expired at 1000000000.5"),
    (HS, '{"tenant":"acme","nbf":%NOW+3600%}', "JWT not valid before"),
    (HS, '{"tenant":"acme","iat":%NOW+3600%}', "JWT issued in the future"),
    (HS, '{"tenant":""}', 'claim "tenant" must be a non-empty string'),
    (HS, '{"tenant":["acme"]}', 'claim "tenant" must be a non-empty string, not an array'),
    (HS, '{"sub":"x"}', 'JWT has no "tenant" claim'),
    (HS, '{"tenant":"acme","sub":false}', 'claim "sub" must be a string'),
    (HS, '{"tenant":"acme","tenant":"globex"}', 'duplicate key "tenant"'),
    ('{"alg":"none","typ":"JWT"}', '{"tenant":"acme"}', 'unsupported JWT alg "none": only HS256 is accepted'),
    ('{"alg":"HS384"}', '{"tenant":"acme"}', 'unsupported JWT alg "HS384": only HS256 is accepted'),
    ('{"alg":"RS256"}', '{"tenant":"acme"}', 'unsupported JWT alg "RS256": only HS256 is accepted'),
    ('{"typ":"JWT"}', '{"tenant":"acme"}', "unsupported JWT alg (none): only HS256 is accepted"),
    ('{"alg":"HS256","alg":"none"}', '{"tenant":"acme"}', 'duplicate key "alg"'),
    ('{"alg":"HS256","typ":"JWS"}', '{"tenant":"acme"}', 'JWT header "typ" must be "JWT" when present'),
    ('{"alg":"HS256","crit":["b64"],"b64":false}', '{"tenant":"acme"}', 'JWT header has "crit"'),
    (HS, '"acme"', "malformed JWT: the payload is a string, not a JSON object"),
])
def test_every_bad_claim_is_unauthenticated_naming_it(server, chan, header, claims, reason):
    now = int(time.time())
    claims = claims.replace("%NOW+3600%", str(now + 3600))
    err = call(chan, hand_token(secret_of(server), header, claims))
    assert isinstance(err, grpc.RpcError), f"accepted: {header} {claims}"
    assert err.code() == C.UNAUTHENTICATED, err
    assert reason in err.details(), err.details()


@pytest.mark.parametrize("token,reason", [
    ("eyJhbGciOiJIUzI1NiJ9=.e30.AAAA", "the header is not unpadded base64url"),
    ("eyJhbGciOiJIUzI1NiJ9.e30/.AAAA", "the payload is not unpadded base64url"),
    ("eyJhbGciOiJIUzI1NiJ9.e30.AA+A", "the signature is not unpadded base64url"),
    ("eyJhbGciOiJIUzI1NiJ9.e31.AAAA", "the payload is not unpadded base64url"),  # leftover bits set
    ("a.b.c.d", "unknown API key"),
])
def test_malformed_tokens_say_which_part(chan, token, reason):
    err = call(chan, token)
    assert isinstance(err, grpc.RpcError) and err.code() == C.UNAUTHENTICATED, err
    assert reason in err.details(), err.details()


def test_good_hand_made_tokens_work(server, chan):
    now = time.time()
    secret = secret_of(server)
    for header, claims in [
        (HS, json.dumps({"tenant": "acme", "exp": now + 60.5, "nbf": now - 0.25, "iat": now})),  # fractions are fine
        ('{"alg":"HS256","typ":"jwt"}', json.dumps({"tenant": "acme", "exp": int(now) - 5})),  # within the leeway
        ('{"alg":"HS256","typ":"application/jwt","kid":"k1"}', '{"tenant":"acme"}'),
    ]:
        result = call(chan, hand_token(secret, header, claims))
        assert isinstance(result, str) and result.startswith("wf_"), (header, claims, result)


def test_the_leeway_is_a_flag_with_an_upper_bound():
    strict = start_spindle("--jwt-leeway-seconds", "0")
    try:
        assert any("event=auth " in l and "jwt_leeway_s=0" in l for l in strict.lines), strict.lines
        token = hand_token(secret_of(strict), HS, json.dumps({"tenant": "acme", "exp": int(time.time()) - 5}))
        with grpc.insecure_channel(strict.addr) as ch:
            err = call(ch, token)
        assert isinstance(err, grpc.RpcError) and err.code() == C.UNAUTHENTICATED and "leeway 0 s" in err.details()
    finally:
        stop_and_check(strict)
    bad = subprocess.run([default_binary(), "serve", "--port", "0", "--jwt-leeway-seconds", "301"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--jwt-leeway-seconds must be an integer in 0...300" in bad.stderr, bad.stderr


def keys_file(text):
    fd, path = tempfile.mkstemp(prefix="spindle-keys-", suffix=".txt")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def test_a_configured_key_with_dots_works_and_jwts_still_do(tmp_path):
    path = keys_file("# CI keys\n"
                     "ak.live.7f3c9d2e acme ci-bot\n"
                     "eyJ.looks.like-a-jwt globex\r\n"
                     "plain-key-0001 initech\n")
    server = start_spindle("--api-keys-file", path)
    try:
        assert any("event=auth " in l and "api_keys=3" in l for l in server.lines), server.lines
        with grpc.insecure_channel(server.addr) as ch:
            ids = {}
            for key, tenant in [("ak.live.7f3c9d2e", "acme"), ("eyJ.looks.like-a-jwt", "globex"), ("plain-key-0001", "initech")]:
                result = call(ch, key)
                assert isinstance(result, str), f"configured key {key!r} refused: {result}"
                ids[tenant] = result
            # Each key is its tenant: acme's JWT sees acme's workflow (made with the dotted key), not globex's.
            jwt = Api(ch, mint(server, "acme"))
            assert jwt.GetWorkflow(ws.GetWorkflowRequest(workflow_id=ids["acme"])).id == ids["acme"]
            with pytest.raises(grpc.RpcError) as e:
                jwt.GetWorkflow(ws.GetWorkflowRequest(workflow_id=ids["globex"]))
            assert e.value.code() == C.NOT_FOUND
            # Not in the file: a JWT-shaped token is verified as a JWT, anything else is an unknown key.
            err = call(ch, "ak.live.7f3c9d2f")
            assert isinstance(err, grpc.RpcError) and err.code() == C.UNAUTHENTICATED and "malformed JWT" in err.details()
            err = call(ch, "plain-key-0002")
            assert isinstance(err, grpc.RpcError) and err.code() == C.UNAUTHENTICATED and "unknown API key" in err.details()
    finally:
        stop_and_check(server)
        os.unlink(path)


@pytest.mark.parametrize("text,line,problem", [
    ("k-aaaa acme\nk-bbbb globex\nk-aaaa globex\n", 3, "this key is already listed on line 1"),
    ("k-aaaa acme\nk-aaaa acme\n", 2, "this key is already listed on line 1"),
    ("k-aaaa acme\n\nlonely-key\n", 3, 'expected "KEY TENANT [SUBJECT]", found 1 word'),
    ("k-aaaa acme bot extra\n", 1, 'expected "KEY TENANT [SUBJECT]", found 4 words'),
    ("k-\x01aaa acme\n", 1, "control character U+1"),
    ("k-\u00e9aaa acme\n", 1, "a key must be printable ASCII with no spaces"),
])
def test_a_bad_keys_file_refuses_to_start_naming_the_line(text, line, problem):
    path = keys_file(text)
    data = tempfile.mkdtemp(prefix="spindle-data-")
    try:
        proc = subprocess.Popen([default_binary(), "serve", "--port", "0", "--data-dir", data, "--api-keys-file", path],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        assert "event=listening" not in out, f"the server started with a bad keys file:\n{out}"
        assert proc.returncode == 1, out
        logged = f"{path} line {line}: {problem}".replace('"', '\\"')  # logfmt escapes quotes
        assert "event=auth_setup" in out and logged in out, out
        assert "k-aaaa" not in out, "the message must not print a key"
    finally:
        os.unlink(path)
        subprocess.run(["rm", "-rf", data])
