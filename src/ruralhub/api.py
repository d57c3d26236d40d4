from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as InputError

from ruralhub.accounts.api import router as accounts_router
from ruralhub.accounts.auth import AUTH
from ruralhub.core.api import (
    FORBIDDEN,
    NOT_FOUND,
    UNAUTHORIZED,
    document_errors,
    pydantic_error_detail,
    validation_error_detail,
)
from ruralhub.network.api import router as network_router
from ruralhub.programs.api import router as programs_router
from ruralhub.regions.api import router as regions_router


class OfflineSwagger(Swagger):
    """Swagger UI from the package's own static files (static/vendor/swagger-ui), so /api/docs works offline."""

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, "api/docs.html", {"api": api, "swagger_settings": settings})


class RuralhubAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        # Every operation can refuse with 400/401/403/404/422; documented here once, not per operation.
        return document_errors(super().get_openapi_schema(**kwargs))


api = RuralhubAPI(
    title="ruralhub API",
    version="1",
    description="县域农村电商综合服务平台接口。认证：`Authorization: Bearer <令牌>` 或登录会话。"
    '错误：401/403/404 为 `{"detail": 原因}`，422 为 `{"detail": [{"loc": 位置, "msg": 原因}]}`。',
    auth=AUTH,
    urls_namespace="api",
    # No validator badge: it would call validator.swagger.io.
    docs=OfflineSwagger(settings={"validatorUrl": None}),
)
api.add_router("/regions", regions_router)
api.add_router("/organisations", accounts_router)
api.add_router("/programs", programs_router)
api.add_router("/network", network_router)


@api.exception_handler(InputError)
def on_input_error(request, exc):
    return api.create_response(request, {"detail": pydantic_error_detail(exc.errors)}, status=422)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return api.create_response(request, {"detail": validation_error_detail(exc)}, status=422)


@api.exception_handler(DataError)
def on_data_error(request, exc):
    # A value the database cannot hold (NUL characters, out-of-range numbers) that got past validation.
    detail = [
        {"loc": ["body"], "msg": "请求中含有数据库无法保存的值（如NUL字符或超出范围的数字）", "type": "value_error"}
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, {"detail": UNAUTHORIZED}, status=401)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or FORBIDDEN}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)
