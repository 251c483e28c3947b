from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(ModelBackend):
    """Django's backend, refusing accounts that are locked after repeated failures."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not user.is_locked()
