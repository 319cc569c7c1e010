"""What a failed Bot API request means for a delivery."""

from bot.delivery.errors.classify import Failure, FailureKind, classify

__all__ = ["Failure", "FailureKind", "classify"]
