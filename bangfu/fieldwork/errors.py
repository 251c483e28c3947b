"""Error codes of the fieldwork app: forms show the message, the API returns the code."""

from enum import StrEnum


class ErrorCode(StrEnum):
    OUT_OF_SCOPE = "out_of_scope"
    NOT_A_VILLAGE = "not_a_village"
    PERIOD_REVERSED = "period_reversed"
    OUTSIDE_TEAM_PERIOD = "outside_team_period"
    ALREADY_MEMBER = "already_member"
    ALREADY_ENDED = "already_ended"
    NOT_STATIONED = "not_stationed"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CHECKED_IN = "not_checked_in"
    INVALID_LOCATION = "invalid_location"
    LEAVE_OVERLAP = "leave_overlap"
    LEAVE_TOO_LONG = "leave_too_long"
    LEAVE_NOT_PENDING = "leave_not_pending"
    NOT_AN_APPROVER = "not_an_approver"
    FUTURE_DATE = "future_date"
    DATE_TOO_OLD = "date_too_old"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_INVALID = "photo_invalid"
    TOO_MANY_PHOTOS = "too_many_photos"
    NEED_CLOSED = "need_closed"
    CLOSING_NOTE_REQUIRED = "closing_note_required"
