from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self):
        # a password change or a disabled account ends the user's tokens, as it ends their sessions
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_save

        from . import revocation

        user_model = get_user_model()
        pre_save.connect(revocation.remember_credentials, sender=user_model, dispatch_uid="api.tokens.remember")
        post_save.connect(revocation.revoke_on_credentials_change, sender=user_model, dispatch_uid="api.tokens.revoke")
