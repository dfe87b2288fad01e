"""Sending one e-mail by SMTP, as the settings say (SMTP_HOST, SMTP_PORT, SMTP_SECURITY none, starttls or
ssl, a login when SMTP_USERNAME is set). The outbox (`portal.queries.outbox`) decides what to send and
when; this only builds the message and hands it to the server."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from portal.services.sla import aware
from portal.settings import Settings

TIMEOUT_SECONDS = 30


def build(
    settings: Settings, *, to: str, subject: str, body: str, message_id: str, date: datetime
) -> EmailMessage:
    """A plain-text message with the outbox row's own Message-ID, so a receiver can drop a repeat."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(aware(date))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def connect(settings: Settings, timeout: float = TIMEOUT_SECONDS) -> smtplib.SMTP:
    """An SMTP connection, secured and logged in as the settings say. The caller quits it."""
    security = settings.smtp_security
    if security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    try:
        if security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            server.login(settings.smtp_username, settings.smtp_password)
    except BaseException:
        server.close()
        raise
    return server


def send(settings: Settings, message: EmailMessage, server: smtplib.SMTP | None = None) -> None:
    """Send one message, on `server` if given (several in one connection) or a new connection."""
    if server is not None:
        server.send_message(message)
        return
    connection = connect(settings)
    try:
        connection.send_message(message)
    finally:
        try:
            connection.quit()
        except smtplib.SMTPException:
            connection.close()
