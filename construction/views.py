from django.http import HttpResponse


def index(request):
    return HttpResponse("")


def export(request):
    return HttpResponse("")


def project_new(request):
    return HttpResponse("")


def detail(request, pk):
    return HttpResponse("")


def act(request, pk, action):
    return HttpResponse("")
