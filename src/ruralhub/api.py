from django.core.exceptions import ValidationError
from django.db import DataError
from ninja import NinjaAPI

from ruralhub.accounts.api import router as accounts_router
from ruralhub.accounts.auth import AUTH
from ruralhub.core.api import validation_error_detail
from ruralhub.network.api import router as network_router
from ruralhub.programs.api import router as programs_router
from ruralhub.regions.api import router as regions_router

api = NinjaAPI(
    title="ruralhub API",
    version="1",
    description="县域农村电商综合服务平台接口。认证：`Authorization: Bearer <令牌>` 或登录会话。",
    auth=AUTH,
    urls_namespace="api",
)
api.add_router("/regions", regions_router)
api.add_router("/organisations", accounts_router)
api.add_router("/programs", programs_router)
api.add_router("/network", network_router)


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
