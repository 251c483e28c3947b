from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bangfu.core.views import RevealView

        from .models import Secret

        RevealView.register("testapp.secret", Secret, "id_number")
