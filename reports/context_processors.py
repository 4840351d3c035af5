"""The menu's 待办 count on every page.

Lazy: nothing is read unless a template asks for `todo.count`, which base.html does only for a
signed-in user. Anonymous pages, the error pages (rendered without a request when the database
is down) and pages that never show the menu cost no query.
"""

from django.utils.functional import cached_property

from .todo import todo_for_request


class MenuTodo:
    def __init__(self, request):
        self.request = request

    @cached_property
    def count(self) -> int:
        return todo_for_request(self.request).count


def todo(request):
    return {"todo": MenuTodo(request)}
