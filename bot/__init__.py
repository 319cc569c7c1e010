"""briefing-bot: briefings on a developing news story, served on Telegram."""

import os

# Opt in to PTB 22's timedelta-valued retry_after/timeouts, which the next major version
# makes the default; without it every 429 raises a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
