"""Messages translated at run time from a variable (``_(MESSAGES[status])`` in http_errors.py).

Extraction only sees literal msgids; listing them here keeps them in the catalogue.
"""

from flask_babel import lazy_gettext as _l

ERROR_PAGE_MESSAGES = (
    _l("请求无效"),
    _l("需要登录"),
    _l("没有权限访问"),
    _l("页面不存在"),
    _l("不支持的请求方式"),
    _l("与当前状态冲突"),
    _l("上传的内容过大"),
    _l("不支持的内容类型"),
    _l("提交的数据有误"),
    _l("操作过于频繁，请稍后再试"),
    _l("服务器内部错误"),
)
