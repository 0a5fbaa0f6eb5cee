"""A hostile auto-responder, run as a separate process: real SMTP in, real IMAP out.

It listens for SMTP on --smtp-port. For every message it receives it APPENDs a
reply into the bot's Dovecot inbox (--imap-*), From its own address:

  --mode header   "Automatic reply: …" with Auto-Submitted: auto-replied
  --mode text     an out-of-office text with no auto-reply headers at all
  --mode request  a fresh, human-looking erasure request each time (the worst case)

It prints one line per reply to stdout and runs until killed.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import imaplib
import sys
import threading
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

from aiosmtpd.controller import Controller

ME = "auto@responder.example"


def build(mode: str, original, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Responder <{ME}>"
    msg["To"] = original["From"] or "info@alektumgroup.no"
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain="responder.example")
    if original["Message-ID"] and mode != "request":  # "request" mode does not thread: each looks new
        msg["In-Reply-To"] = original["Message-ID"]
        msg["References"] = original["Message-ID"]
    subject = original["Subject"] or ""
    if mode == "header":
        msg["Subject"] = f"Automatic reply: {subject}"
        msg["Auto-Submitted"] = "auto-replied"
        msg.set_content("I am out of the office until Monday and have no access to email.")
    elif mode == "text":
        msg["Subject"] = f"Out of office: {subject}"
        msg.set_content("Hello, I am currently out of the office until 3 January. I will reply when I am back.")
    else:
        msg["Subject"] = f"Request number {n}"
        msg.set_content(f"Dear Alektum, please delete all personal data you hold about me. Reference {n}.")
    return msg.as_bytes()


class Handler:
    def __init__(self, args):
        self.args = args
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        original = email.message_from_bytes(envelope.original_content or envelope.content,
                                            policy=email.policy.default)
        with self.lock:
            self.n += 1
            n = self.n
        raw = build(self.args.mode, original, n)
        imap = imaplib.IMAP4(self.args.imap_host, self.args.imap_port)
        imap.login(self.args.imap_user, self.args.imap_password)
        imap.append("INBOX", None, None, raw)
        imap.logout()
        print(f"reply {n} to {original['Message-ID']}", flush=True)
        return "250 OK"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--smtp-port", type=int, required=True)
    ap.add_argument("--imap-host", default="127.0.0.1")
    ap.add_argument("--imap-port", type=int, required=True)
    ap.add_argument("--imap-user", required=True)
    ap.add_argument("--imap-password", required=True)
    ap.add_argument("--mode", choices=["header", "text", "request"], required=True)
    args = ap.parse_args()
    controller = Controller(Handler(args), hostname="127.0.0.1", port=args.smtp_port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
