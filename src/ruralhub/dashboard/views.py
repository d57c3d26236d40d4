from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from ruralhub.accounts.models import Organisation
from ruralhub.core.roles import role_of
from ruralhub.programs.models import Program
from ruralhub.programs.services import progress_summary, target_progress
from ruralhub.regions.choices import Kind, Level
from ruralhub.regions.models import Division


def _none(user):
    return []


@login_required
def home(request):
    """Each role lands on what it works with: its scope, its program's progress, its records."""
    user = request.user
    divisions = Division.objects.visible_to(user)
    program = Program.objects.visible_to(user).select_related("county").first()
    summary = progress_summary(target_progress(program)) if program else None
    # The scope's divisions counted in one pass (not one query per figure).
    villages = Q(level=Level.VILLAGE)
    counts = divisions.aggregate(
        township_count=Count("pk", filter=Q(level=Level.TOWNSHIP)),
        village_count=Count("pk", filter=Q(kind=Kind.VILLAGE_COMMITTEE)),
        community_count=Count("pk", filter=villages & ~Q(kind=Kind.VILLAGE_COMMITTEE)),
        poverty_count=Count("pk", filter=villages & ~Q(poverty_status="")),
    )
    context = {
        "role": role_of(user),
        "program": program,
        "summary": summary,
        **counts,
        "organisation_count": Organisation.objects.visible_to(user).count(),
        # Domain apps add their own cards: AppConfig.home_cards(user) -> [{"title", "items": [...]}].
        "cards": [card for config in apps.get_app_configs() for card in getattr(config, "home_cards", _none)(user)],
    }
    return render(request, "dashboard/home.html", context)
