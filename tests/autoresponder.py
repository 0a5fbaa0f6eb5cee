"""A hostile auto-responder, run as a separate process: real SMTP in, real IMAP out.

It listens for SMTP on --smtp-port. For every message it receives it APPENDs a
reply into the bot's Dovecot inbox (--imap-*), From its own address:

  --mode header   "Automatic reply: …" with Auto-Submitted: auto-replied
  --mode text     "Automatic reply: …" out-of-office text with no auto-reply headers at all
  --mode request  a fresh, human-looking erasure request each time (the worst case)
  --mode bounce   a DSN (multipart/report) from MAILER-DAEMON naming the Message-ID it got

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


def dsn(original, n: int) -> bytes:
    """An RFC 3464 delivery status notification for ``original``, laid out as Postfix writes it."""
    boundary = f"dsn.{n}.{int(time.time())}"
    headers = "".join(f"{k}: {v}\r\n" for k, v in original.items()
                      if k.lower() in ("from", "to", "subject", "date", "message-id"))
    text = (f"From: Mail Delivery System <MAILER-DAEMON@responder.example>\r\n"
            f"To: {original['From'] or 'info@alektumgroup.no'}\r\n"
            f"Date: {format_datetime(datetime.now(timezone.utc))}\r\n"
            f"Message-ID: {make_msgid(domain='responder.example')}\r\n"
            f"Subject: Undelivered Mail Returned to Sender\r\n"
            f"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\r\n\r\n"
            f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            f"This is the mail system at host responder.example.\r\n\r\nI'm sorry to have to inform you "
            f"that your message could not be delivered to {ME} (attempt {n}).\r\n\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            f"Reporting-MTA: dns; responder.example\r\n\r\nFinal-Recipient: rfc822; {ME}\r\n"
            f"Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
            f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n{headers}\r\n"
            f"--{boundary}--\r\n")
    return text.encode("utf-8")


def build(mode: str, original, n: int) -> bytes:
    if mode == "bounce":
        return dsn(original, n)
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
        msg["Subject"] = f"Automatic reply: {subject}"  # as Outlook does, no headers
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
    ap.add_argument("--mode", choices=["header", "text", "request", "bounce"], required=True)
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
