from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200)."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        page, size = super().get_schema_operation_parameters(view)
        page["schema"]["minimum"] = 1
        page["description"] = "A page number, from 1; past the last page is 404."
        size["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        size["description"] = (
            f"Results per page, {self.page_size} by default; a larger number than "
            f"{self.max_page_size} is read as {self.max_page_size}."
        )
        return [page, size]
