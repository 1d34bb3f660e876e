"""`make dev` stops on Ctrl-C even when the kernel hands the signal to one of the runner's server
threads rather than to the main thread (which, blocked in a lock, would never run the handler)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from clinic_tools import template

SCRIPT = textwrap.dedent("""
    import signal, threading, time
    from clinic_local.cli import wait_for_stop

    def server_thread():
        time.sleep(0.3)  # the main thread is waiting by then
        signal.pthread_kill(threading.get_ident(), signal.{name})  # to this thread, not the main one

    threading.Thread(target=server_thread, daemon=True).start()
    print(signal.Signals(wait_for_stop()).name, flush=True)
""")


def _run(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT.format(name=name)], cwd=template.ROOT,
                          capture_output=True, text=True, timeout=30)


def test_ctrl_c_delivered_to_another_thread_stops_the_wait():
    done = _run("SIGINT")
    assert (done.returncode, done.stdout.strip()) == (0, "SIGINT"), done.stderr


def test_sigterm_delivered_to_another_thread_stops_the_wait():
    done = _run("SIGTERM")
    assert (done.returncode, done.stdout.strip()) == (0, "SIGTERM"), done.stderr
