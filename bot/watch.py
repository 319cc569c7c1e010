"""Watch SEEDS_DIR while the bot runs: a page dropped in or changed is imported."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot import metrics
from bot.context import AppState
from bot.services.stories import story_files
from bot.story.model import StoryError

log = logging.getLogger(__name__)

# Size, modification and change time: chmod changes only the last, and makes an
# unreadable page readable.
Snapshot = dict[Path, tuple[int, int, int]]


def snapshot(folder: Path) -> Snapshot:
    """Size and modification time of every story page in the folder."""
    result: Snapshot = {}
    for path in story_files(folder) or []:
        try:
            stat = path.stat()
        except OSError:
            continue
        result[path] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    return result


async def watch_seeds(state: AppState, *, rounds: int | None = None) -> None:
    """Poll the seeds folder; runs until cancelled (or for `rounds` polls in tests)."""
    folder = state.settings.seeds_dir
    interval = state.settings.seeds_poll_seconds
    seen = await asyncio.to_thread(snapshot, folder)
    # A page is imported once its size and mtime held still for one poll, so a file
    # still being written is never imported half-way.
    settling: Snapshot = {}
    done = 0
    while rounds is None or done < rounds:
        await asyncio.sleep(interval)
        done += 1
        current = await asyncio.to_thread(snapshot, folder)
        for path, signature in current.items():
            if seen.get(path) == signature:
                continue
            if settling.get(path) != signature:
                settling[path] = signature
                continue
            try:
                data = await asyncio.to_thread(path.read_bytes)
                outcome = await state.stories.import_page(data, source_name=f"seeds/{path.name}")
            except StoryError as exc:
                metrics.import_failed()
                log.warning("seed %s not imported: %s", path.name, exc.detail)
            except OSError as exc:
                metrics.import_failed()
                # Warned once: it is read again only when it changes.
                log.warning("seed %s skipped: unreadable (%s)", path.name, exc.strerror or exc)
            except Exception:
                metrics.import_failed()
                log.exception("seed %s failed to import", path.name)
            else:
                if not outcome.unchanged:
                    log.info(
                        "seed %s imported: story %s, %d new items",
                        path.name,
                        outcome.story_id,
                        len(outcome.new_item_ids),
                    )
            seen[path] = signature
            settling.pop(path, None)
        for gone in set(seen) - set(current):
            del seen[gone]
