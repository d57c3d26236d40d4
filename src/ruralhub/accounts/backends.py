"""Signing in."""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Signs users in by username and password; permissions come from roles, never from per-user or group rows.

    Django's ModelBackend would look up each user's own and group permissions (two queries on every page
    that checks one); ruralhub grants nothing that way, so those lookups are skipped. A superuser still
    holds every permission (User.has_perm answers that before asking any backend).
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
