from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import chain_for


@require_GET
def node(request, kind: str, pk: int):
    """关联查询: the whole chain of one record (login required by the middleware; a start the
    person may not read is not found)."""
    chain = chain_for(request.user, kind, pk)
    return render(request, "chain/node.html", {"active_nav": "", "chain": chain})
