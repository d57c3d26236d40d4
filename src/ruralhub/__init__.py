"""ruralhub — 县域农村电商综合服务平台."""

__version__ = "0.1.0"
