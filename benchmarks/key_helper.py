"""Benchmark: `configurator key get NAME` (a keychain profile) vs a bare keyring read, in the same run.

The tools run the helper on every start, so it must add little to the keychain read itself. Starts a real Secret
Service (GNOME Keyring on a private D-Bus session, as the tests do: tests/secret_service.py; needs Debian's
gnome-keyring and dbus, `.ci/install-secret-service.sh`) unless DBUS_SESSION_BUS_ADDRESS is given with --use-bus,
stores a key for a keychain profile in a temporary HOME, then times as subprocesses, REPEAT times each
(interleaved), and prints the medians and the ratio to the bare read (target: <= 1.5):

- bare: `python -c "import keyring; keyring.get_password(...)"` (keyring's backend discovery)
- named: keyring's SecretService backend named, no discovery
- secretstorage: the item read with secretstorage directly (the floor: what our fast path does)
- ours: the `configurator` console script, `key get NAME`
- ours -m: `python -m configurator key get NAME`

    python benchmarks/key_helper.py [--repeat N] [--use-bus]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-bench-KEYCHAIN-0123456789abcdef"
NAME = "bench-kc"
PROFILE = f"""[profiles.{NAME}]
provider = "custom"
provider_name = "Bench"
anthropic_base_url = "http://127.0.0.1:9"
openai_base_url = "http://127.0.0.1:9/v1"
model = "m"
fast_model = "m"
key_storage = "keychain"
tools = ["claude-code"]
"""


def commands() -> dict[str, list[str]]:
    py = sys.executable
    script = str(Path(py).parent / "configurator")
    return {
        "bare": [py, "-c", f"import keyring; print(keyring.get_password('agent-configurator', '{NAME}'))"],
        "named": [py, "-c", "from keyring.backends.SecretService import Keyring; "
                  f"print(Keyring().get_password('agent-configurator', '{NAME}'))"],
        "secretstorage": [py, "-c", "import secretstorage as s; c = s.dbus_init(); "
                          "col = s.get_default_collection(c); "
                          f"print(next(col.search_items({{'service': 'agent-configurator', 'username': '{NAME}'}}))"
                          ".get_secret().decode())"],
        "ours": [script, "key", "get", NAME],
        "ours -m": [py, "-m", "configurator", "key", "get", NAME],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--use-bus", action="store_true", help="use the Secret Service of DBUS_SESSION_BUS_ADDRESS")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from secret_service import secret_service

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        service = nullcontext(os.environ["DBUS_SESSION_BUS_ADDRESS"]) if args.use_bus else secret_service(base)
        with service as address:
            home = base / "home"
            (home / ".config" / "agent-configurator").mkdir(parents=True)
            (home / ".config" / "agent-configurator" / "profiles.toml").write_text(PROFILE)
            env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "DBUS_SESSION_BUS_ADDRESS": address,
                   "LANG": "C.UTF-8"}
            subprocess.run([sys.executable, "-m", "configurator", "key", "set", NAME], input=KEY + "\n", env=env,
                           check=True, capture_output=True, text=True)
            cmds = commands()
            times: dict[str, list[float]] = {k: [] for k in cmds}
            for name, cmd in cmds.items():  # warm the page cache and check the answer once
                out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
                assert out.strip() == KEY, (name, out)
            for _ in range(args.repeat):
                for name, cmd in cmds.items():
                    t0 = time.perf_counter()
                    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
                    times[name].append(time.perf_counter() - t0)
            subprocess.run([sys.executable, "-m", "configurator", "key", "delete", NAME], env=env, check=True,
                           capture_output=True)
    bare = statistics.median(times["bare"])
    print(f"median of {args.repeat} runs each, interleaved (Python {sys.version.split()[0]}):")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"  {name:14} {med * 1000:7.1f} ms   {med / bare:5.2f}x bare")
    ratio = statistics.median(times["ours"]) / bare
    print(f"ours / bare = {ratio:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
