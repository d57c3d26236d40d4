from django.core.exceptions import ValidationError
from ninja import NinjaAPI

from ruralhub.accounts.api import router as accounts_router
from ruralhub.core.api import AUTH, validation_error_detail
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
