"""Pages of the job list: 25 jobs a page, newest first; `page_size` asks for up to 100."""

from rest_framework.pagination import PageNumberPagination


class RecentJobsPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
