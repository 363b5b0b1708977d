from django.conf import settings


def test_tests_do_not_use_the_development_var_dir(db):
    # a test run must not queue tasks into the broker folder that `make run` drains
    assert settings.VAR_DIR != settings.BASE_DIR / "var"
    assert settings.CELERY_BROKER_URL.startswith("redis://") or "liaison-test-var-" in str(
        settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
    )
