"""Static files as production serves them: collected into the hashed, compressed manifest."""

from django.core.management import call_command


def test_collectstatic_builds_the_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    for asset in ("vendor/tabler/tabler.min.css", "vendor/htmx/htmx.min.js", "vendor/echarts/echarts.min.js"):
        assert f'"{asset}"' in manifest
