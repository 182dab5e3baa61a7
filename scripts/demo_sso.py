"""The demo centre's identity providers (README, "Single sign-on"): the OpenID Provider and the
SAML identity provider the tests use (tools/oidc-provider, tools/saml-idp), started on this
machine with demo accounts, and the SSO_PROVIDERS file that points the demo at them.

    .venv/bin/python scripts/demo_sso.py <the demo's address, e.g. 127.0.0.1:8000>

prints `SSO_PROVIDERS_FILE=<path>` and one `PID=<n>` per provider on standard output (read by
scripts/demo.sh, which stops them with the demo), and what it started on standard error. A
provider whose tools are missing (Node.js and `npm ci --prefix tools/oidc-provider` for the
OpenID Provider; xmlsec1 for SAML) is left out, saying so. Standard library only: the demo's
virtualenv has no test packages.
"""

import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / ".demo-sso"
OIDC_PORT, SAML_PORT = 8101, 8102
OIDC_ACCOUNTS = {
    # Links to the demo's own learner: the provider vouches for the same, verified address.
    "learner": {
        "sub": "demo-learner-0001",
        "email": "learner@leads.example",
        "email_verified": True,
        "name": "Demo Learner",
    },
    # Nobody here has this address: a first sign-in makes a learner account.
    "newcomer": {
        "sub": "demo-newcomer-0002",
        "email": "newcomer@uni.example",
        "email_verified": True,
        "given_name": "Nadia",
        "family_name": "Rahim",
        "name": "Nadia Rahim",
    },
}
SAML_USERS = {
    # Faculty at the university: the centre maps that affiliation to the instructor role.
    "faculty": {
        "mail": "faculty@uni.example",
        "givenName": "Tariq",
        "sn": "Mahmood",
        "displayName": "Tariq Mahmood",
        "eduPersonPrincipalName": "tmahmood@uni.example",
        "eduPersonAffiliation": ["faculty", "member"],
    },
}


def say(text):
    print(text, file=sys.stderr, flush=True)


def free(port) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start(command, config, name, ready) -> subprocess.Popen | None:
    path = STATE / f"{name}.json"
    path.write_text(json.dumps(config))
    log = (STATE / f"{name}.log").open("w")
    proc = subprocess.Popen([*command, str(path)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if f"ready {ready}" in (STATE / f"{name}.log").read_text(errors="replace"):
            return proc
        time.sleep(0.2)
    proc.kill()
    say(f"  {name} did not start: see {STATE / f'{name}.log'}")
    return None


def main(address):
    site = f"http://{address}"
    STATE.mkdir(exist_ok=True)
    providers, pids = [], []
    node = shutil.which("node")
    if node and (ROOT / "tools/oidc-provider/node_modules").is_dir() and free(OIDC_PORT):
        issuer = f"http://127.0.0.1:{OIDC_PORT}"
        secret = secrets.token_urlsafe(24)  # made afresh at every start, never written down
        client = {
            "client_id": "leads-demo",
            "client_secret": secret,
            "redirect_uris": [f"{site}/accounts/sso/university/callback/"],
            "post_logout_redirect_uris": [f"{site}/accounts/signed-out/"],
        }
        config = {"port": OIDC_PORT, "issuer": issuer, "clients": [client],
                  "accounts": OIDC_ACCOUNTS}  # fmt: skip
        proc = start([node, "tools/oidc-provider/server.mjs"], config, "oidc-provider", issuer)
        if proc:
            pids.append(proc.pid)
            providers.append(
                {
                    "slug": "university",
                    "name": "University of Example (OpenID Connect)",
                    "protocol": "oidc",
                    "issuer": issuer,
                    "client_id": "leads-demo",
                    "client_secret": secret,
                }  # fmt: skip
            )
            say(f"  OpenID Provider at {issuer}: sign in as 'learner' or 'newcomer' (any password)")
    else:
        say("  OpenID Provider not started: needs Node.js, `npm ci --prefix tools/oidc-provider`"
            f" and port {OIDC_PORT} free")  # fmt: skip
    if shutil.which("xmlsec1") and free(SAML_PORT):
        entity = f"http://127.0.0.1:{SAML_PORT}/idp/metadata"
        config = {
            "port": SAML_PORT,
            "entity_id": entity,
            "dir": str(STATE),
            "sp_metadata_url": f"{site}/accounts/sso/campus/saml/metadata/",
            "users": SAML_USERS,
            "mode": "normal",
            "name_id_format": "persistent",
        }
        proc = start([sys.executable, "tools/saml-idp/idp.py"], config, "saml-idp", entity)
        if proc:
            pids.append(proc.pid)
            providers.append(
                {"slug": "campus", "name": "Campus Login (SAML)", "protocol": "saml",
                 "metadata_url": entity, "trust_email": True,
                 "roles": {"claim": "eduPersonAffiliation", "map": {"faculty": "instructor"}}}
            )  # fmt: skip
            say(f"  SAML identity provider at {entity}: sign in as 'faculty'")
    else:
        say(f"  SAML identity provider not started: needs xmlsec1 and port {SAML_PORT} free")
    path = STATE / "providers.json"
    path.write_text(json.dumps(providers, indent=2))
    print(f"SSO_PROVIDERS_FILE={path}")
    for pid in pids:
        print(f"PID={pid}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000")
