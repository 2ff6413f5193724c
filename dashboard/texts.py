"""Every Chinese string a user sees, in one place.

Readers, the command line and the pages take their wording from here, so that the
same thing is always said the same way.
"""

# Why a file could not be imported (FormReadError.reason).
REASON_SCANNED = "扫描件，无文字层"
REASON_DAMAGED = "文件已损坏或不完整，无法打开"
REASON_ENCRYPTED = "文件已加密（需要密码），无法读取"
REASON_NOT_A_FORM = "文件中没有找到项目支出绩效自评表"
REASON_EMPTY = "空文件"
REASON_UNSUPPORTED = "不支持的文件类型（仅支持 .pdf 和 .txt）"
REASON_TOO_LARGE = "文件超过 {limit_mb} MB 上限"
REASON_NO_CMAP = "PDF 字体缺少字符映射（出现 (cid:…) 乱码），文字无法识别"
REASON_TIMEOUT = "解析超时（超过 {seconds} 秒），文件可能异常"
REASON_TOO_MUCH_MEMORY = "解析占用内存过大，文件可能异常"
REASON_UNREADABLE_TEXT = "文本编码无法识别（不是 UTF-8 或 GBK）"
REASON_INTERNAL = "解析时发生意外错误"
REASON_NOT_FOUND = "文件不存在"

# Outcomes of one imported file.
OUTCOME_IMPORTED = "导入 {count} 张表"
OUTCOME_DUPLICATE = "已导入过（内容相同），未重复导入"
OUTCOME_ERROR = "错误：{reason}"
