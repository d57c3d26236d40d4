from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def station_list(request):
    return HttpResponse("")


@login_required
def coverage(request):
    return HttpResponse("")
