"""Every Chinese string a user sees, in one place.

Readers, the command line and the pages take their wording from here, so that the
same thing is always said the same way.
"""

from dashboard.core.domain import Band, Outcome, Role, Severity

# Why a file could not be imported (FormReadError.reason).
REASON_SCANNED = "扫描件，无文字层"
REASON_DAMAGED = "文件已损坏或不完整，无法打开"
REASON_ENCRYPTED = "文件已加密（需要密码），无法读取"
REASON_NOT_A_FORM = "文件中没有找到项目支出绩效自评表"
REASON_EMPTY = "空文件"
REASON_UNSUPPORTED = (
    "不支持的文件类型（支持 .pdf、.txt、.xlsx、.docx、.xls、.doc、WPS 的 .et 与 .wps、网页 .html、.htm、.mhtml、.mht，"
    "扫描图片 .png、.jpg、.jpeg、.tif、.tiff）"
)
REASON_OFFICE_DAMAGED = "{kind} 文件已损坏或不是真正的 {kind} 文件，无法打开"
REASON_TOO_LARGE = "文件超过 {limit_mb} MB 上限"
REASON_NO_CMAP = "PDF 字体缺少字符映射（出现 (cid:…) 乱码），文字无法识别"
REASON_TIMEOUT = "解析超时（超过 {seconds} 秒），文件可能异常"
REASON_TOO_MUCH_MEMORY = "内存超限：解析此文件所需内存超过上限，文件过大或异常（如压缩炸弹），无法读取"
REASON_UNREADABLE_TEXT = "文本编码无法识别（不是 UTF-8 或 GBK）"
REASON_INTERNAL = "解析时发生意外错误"
REASON_NOT_FOUND = "文件不存在"
# Web pages and old Office/WPS files (ingest/web.py, ingest/legacy.py, ingest/libreoffice.py).
REASON_WEB_ENCODING = "网页编码无法识别（不是 UTF-8 或 GBK/GB18030，也不是网页声明的编码）"
REASON_WEB_UNREADABLE = "网页无法解析（不是 HTML 网页，或内容已损坏）"
REASON_WEB_NO_TABLE = "网页中没有表格，找不到自评表（表格若是图片，请导入原件）"
REASON_WEB_TABLE_TOO_LARGE = "网页中的表格过大（超过 {limit} 个单元格），不是自评表，未读取"
REASON_WEB_TOO_LARGE = "网页超过 {limit_mb} MB 上限（自评表网页通常不到 1 MB），未读取"
REASON_MHTML_NO_PAGE = "MHTML 文件中没有网页（HTML）部分，无法读取"
REASON_XML_SHEET_DAMAGED = "XML 表格（Excel 2003 XML）已损坏或格式错误，无法读取"
REASON_XLS_DAMAGED = "{suffix} 文件已损坏或不是真正的 Excel 文件，无法打开"
REASON_NOT_OFFICE = "{suffix} 文件的内容不是 Office、WPS 或网页格式，无法读取"
REASON_NO_LIBREOFFICE = (
    "读取 {suffix} 文件需要 LibreOffice，本机未安装：请由管理员安装后重新导入"
    "（Debian/Ubuntu：apt install libreoffice-writer-nogui libreoffice-calc-nogui），"
    "或在 Word、Excel 或 WPS 中“另存为” .docx 或 .xlsx 后再导入"
)
REASON_CONVERT_TIMEOUT = "LibreOffice 转换 {suffix} 文件超时（超过 {seconds} 秒），文件可能异常，已中止"
REASON_CONVERT_FAILED = "LibreOffice 无法打开此 {suffix} 文件（文件已损坏、加密或格式不符）"
NOTE_MACROS_NOT_RUN = "文件含宏（VBA），宏未运行，只读取了单元格内容"

# Scans and images read by OCR (ingest/ocr_scan.py).
REASON_IMAGE_TOO_LARGE = "图片尺寸过大（超过 {limit} 万像素的上限），未读取：请以 600 dpi 以下扫描"
REASON_IMAGE_TOO_MANY_PAGES = "图片文件页数过多（超过 {limit} 页），未读取"
REASON_IMAGE_DAMAGED = "图片已损坏或不是可识别的图片格式，无法打开"
REASON_SCAN_NO_GRID = "扫描件或图片中没有找到表格线（可能太模糊、太暗或拍歪），无法识别"
REASON_SCAN_NOT_A_FORM = "扫描件或图片中找到了表格，但不是项目支出绩效自评表"
REASON_OCR_UNAVAILABLE = "文字识别组件（rapidocr-onnxruntime）未安装或不完整，无法识别扫描件"

# Outcomes of one imported file.
OUTCOME_IMPORTED = "导入 {count} 张表"
OUTCOME_ERROR = "错误：{reason}"

# The database.
DB_MISSING = "数据库文件 {path} 不存在：请先导入自评表（命令行 python -m dashboard import，或看板的“导入”页）。"
DB_LOCKED = (
    "数据库文件 {path} 正被另一个程序以写入方式占用（例如正在运行的导入命令或看板的导入）。"
    "请等待导入完成，或关闭占用它的程序后重试。"
)
DB_UNREADABLE = "无法打开数据库文件 {path}：{detail}"
# A database that is a DuckLake (dashboard/store/lake.py).
LAKE_DATA_MISSING = (
    "数据湖（ducklake:）需要数据文件夹：请在环境变量 {variable} 中给出各服务器与导入程序共用的文件夹路径。"
)
LAKE_EXTENSION_MISSING = (
    "打开数据湖需要 DuckDB 扩展包 {package}（与 DuckDB {version} 同版本）：请运行 pip install -e . 重新安装看板。"
)
LAKE_FILE_ONLY = "{command} 命令只用于数据库文件，不用于数据湖（ducklake:）：数据湖的备份是 PostgreSQL 目录数据库的备份加上数据文件夹的复制。"
LAKE_BEING_MADE = "数据湖 {path} 正由另一个程序新建，多次等待后仍未建好；请稍后重新运行。"
LAKE_UNREACHABLE = "无法连接数据湖 {path} 的目录数据库（PostgreSQL）：{detail}"
LAKE_NOT_MADE_SHORT = "数据湖 {path} 里还没有数据（还没有导入过自评表）。"
# "As of" a past snapshot of a lake (dashboard/store/snapshots.py): 总览 and the report.
AS_OF_NEEDS_LAKE = "按以往快照查看（--as-of）只用于数据湖（ducklake:）：数据库文件不保留以往的状态。"
AS_OF_NO_SNAPSHOT = "数据湖中没有快照 {snapshot}（现有快照 {first}–{last}；已过期清除的快照不能再查看）。"
AS_OF_NO_BATCH = "数据湖中没有导入批次 {batch}。"
AS_OF_BAD_VALUE = "--as-of 应写快照号（如 63）或导入批次（如 batch:5），不是“{value}”。"
AS_OF_BATCH = "，即导入批次 {batch} 之后、下一批次之前"
AS_OF_STATED = "数据截至数据湖快照 {snapshot}（{time} 提交）{batch}；其后的导入与修改不在其中。"
AS_OF_LABEL = "数据截至"
AS_OF_LATEST = "最新数据"
AS_OF_BATCH_OPTION = "导入批次 {batch} 之后（{time}，{file}）"
AS_OF_HELP = (
    "查看以往某次导入之后的总览和汇总报告（例如上次会议时看到的数据），只读。"
    "列出最近 {count} 个导入批次；其他时点可在下方输入快照号（最新为 {latest}）。"
)
AS_OF_SNAPSHOT_LABEL = "或输入快照号"
AS_OF_SNAPSHOT_HELP = "数据湖每次写入（导入、撤销、复核、整改、账号变动）都生成一个编号递增的快照。0 表示不按快照号选。"
AS_OF_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CLI_REPORT_AS_OF_HELP = "只用于数据湖：按以往的数据生成报告。写快照号（如 63），或导入批次（如 batch:5：该批次导入之后、下一批次之前的状态）"
LAKE_ONLY = "{command} 命令只用于数据湖（ducklake:），数据库文件不需要它。"
LAKE_COMPACT_FILES = "数据文件：当前快照读 {live} 个，数据文件夹里共 {in_folder} 个 Parquet 文件（{when}）"
LAKE_COMPACT_BEFORE = "合并前"
LAKE_COMPACT_AFTER = "合并后"
LAKE_COMPACT_EXPIRED = "已删去 {days} 天前的 {count} 个快照及只有它们用到的文件（这些时点不能再回看）。"
LAKE_COMPACT_KEPT = "所有快照都保留（旧文件仍供回看旧时点；加 --expire-older-than 天数 才删去）。"
CLI_LAKE_COMPACT_HELP = "整理数据湖的数据文件：合并导入留下的小文件；只有给了 --expire-older-than 才删去旧快照和旧文件"
CLI_LAKE_EXPIRE_HELP = "删去多少天以前的快照（及只有它们用到的文件）；不给则全部保留"
LAKE_BAD_PASSWORD = (
    "无法登录数据湖 {path} 的目录数据库（PostgreSQL）：用户名或密码不对。"
    "请检查连接串中的 user 与 password（或 ~/.pgpass、环境变量 PGPASSWORD）；数据湖没有改动。"
)
LAKE_FORMAT_NEWER = (
    "数据湖 {path} 的目录由更新版本的 DuckLake 写成（目录第 {found} 版，本程序的 DuckLake 只认识第 {supported} 版），"
    "本程序打不开它，也不会改动它：请升级看板。"
)
LAKE_FORMAT_OLDER = (
    "数据湖 {path} 的目录是旧版本 DuckLake 写成的（目录第 {found} 版，本程序用第 {supported} 版）。"
    "本程序不会自动升级它：请先备份 PostgreSQL 目录数据库和数据文件夹，再用写它的旧版本看板导出，或请管理员升级目录。"
)
LAKE_TOO_NEW = "数据湖 {path} 由更新版本的看板写入（数据库第 {version} 版，本程序只认识到第 {supported} 版），本程序不会打开它：请升级看板。"
LAKE_DATA_READ_ONLY = (
    "数据湖的数据文件夹 {folder} 不能写入（只读，或没有写入权限），本次不写入任何内容：请让导入程序的账号能写这个文件夹"
    "（环境变量 {variable}），再重新导入。"
)
OUTCOME_DUPLICATE_OF = "重复：内容与已导入的 {name} 相同，未再次导入"
REASON_STORE_FAILED = "写入数据库失败，本文件未导入（详细原因已记入服务器日志）"

# One heading per field, shared by every table that shows the field (exports, form view, pages, 复核, report):
# tables take their columns from here by key (`labels`) and add only headings of their own.
FIELD_LABELS = {
    "form_id": "表编号",
    "source_file": "来源文件",
    "year": "年度",
    "department": "主管部门",
    "unit": "实施单位",
    "org": "单位",
    "project_name": "项目名称",
    "project_type": "项目类型",
    "status": "状态",
    "project_amount": "项目金额（元）",
    "unit_printed": "原表金额单位",
    "total_weight": "总分分值",
    "fund_score": "执行率得分",
    "position": "序号",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "得分",
    "points_lost": "扣分",
    "reason": "偏差原因分析及改进措施",
    "severity": "严重程度",
    "message": "说明",
}


def labels(*keys: str) -> dict[str, str]:
    """{key: heading} of these fields, in this order (see FIELD_LABELS)."""
    return {key: FIELD_LABELS[key] for key in keys}


# Column headings of the per-indicator export (key → 中文), in export order.
EXPORT_COLUMNS = {
    **labels("form_id", "source_file", "year", "department", "unit", "project_name", "project_type", "status"),
    **labels("project_amount", "unit_printed"),
    "annual_budget": "全年预算数（元）",
    "executed": "全年执行数（元）",
    "rate_pct": "执行率（%）",
    **labels("fund_score", "total_weight"),
    "total_score": "总分",
    **labels("position", "level1", "level2", "name", "target", "actual", "weight", "score", "points_lost", "reason"),
    "reason_class": "偏差原因分类",
    "reason_subclass": "偏差原因细类",
}
# The row-level 抽查复核 values the CLI's CSV/Parquet export adds after EXPORT_COLUMNS (docs/export-notes.md).
EXPORT_REVIEW_COLUMNS = {
    "review_plan": "复核计划",
    "review_actual": "复核完成值",
    "review_score": "复核得分",
    "review_note": "复核意见",
}

# Command line.
CLI_DESCRIPTION = "绩效自评看板：导入、导出与复核项目支出绩效自评表"
CLI_IMPORT_HELP = "导入自评表（PDF、文本、Excel、Word、WPS、网页或扫描图片），可给文件或文件夹"
CLI_EXPORT_HELP = "导出全部自评表（json 按 form-json.md；csv 每个指标一行）"
CLI_AUDIT_HELP = "按评分规则重新复核数据库中的全部自评表"
CLI_DB_HELP = "数据库文件，或数据湖 ducklake:postgres:<连接串>（默认取环境变量 DASHBOARD_DB，否则 data/forms.duckdb）"
CLI_YEAR_HELP = "年度（仅用于表上未印年度的文件）"
CLI_DEPARTMENT_HELP = "主管部门（仅用于表上未填的文件）"
CLI_UNIT_HELP = "实施单位（仅用于表上未填的文件）"
CLI_PATHS_HELP = (
    "文件或文件夹（.pdf .txt .xlsx .xls .docx .doc .et .wps .html .htm .mhtml .mht .png .jpg .jpeg .tif .tiff）"
)
CLI_FORMAT_HELP = "导出格式"
CLI_OUTPUT_HELP = "输出文件（默认写到标准输出）"
CLI_FILE_LINE = "{name}：{message}"
CLI_NO_FILES = "没有找到可导入的文件（支持的类型见 --help）。"
CLI_EXPORTED = "已导出 {count} 张表到 {path}"
CLI_AUDITED = "已复核 {count} 张表。"
CLI_INTERRUPTED = "已中断。已完成的文件已保存；中断时正在导入的文件未写入。"
CLI_OUT_OF_MEMORY = (
    "内存不够：{command} 需要的内存超过了上限，没有完成（已写入的部分完好，未完成的一步没有写入）。"
    "请关闭其他占用内存的程序后重试。"
)

# Parts of a form the reader could not read with confidence (check parse_uncertain).
UNCERTAIN_NO_PROJECT_NAME = "未找到项目名称"
UNCERTAIN_NO_FUNDS = "未找到项目资金表（年初预算数、全年预算数、全年执行数）"
UNCERTAIN_NO_INDICATORS = "未找到年度绩效指标表头（一级指标、二级指标、三级指标、分值、得分）"
UNCERTAIN_NO_TOTAL = "未找到总分行"
UNCERTAIN_NO_NUMBERS = "指标“{name}”没有印出分值和得分"
UNCERTAIN_BAD_NUMBER = "指标“{name}”的{column}“{text}”不是可识别的数字"
UNCERTAIN_SCANNED_PAGES = "文件第 {pages} 页是扫描图像（无文字层），未能读取；如果其中有自评表，需要另行录入"
UNCERTAIN_CID = "部分文字缺少字符映射（出现 (cid:…)），相关内容可能不准确"
# Text dumps (dashboard/ingest/text.py): places where the extracted text lost the table's layout.
UNCERTAIN_GOALS_INTERLEAVED = (
    "年度总体目标的“预期目标”与“实际完成情况”两栏文字在文本中交错，已尽量按栏分开，不能确保准确，请对照原表核对"
)
UNCERTAIN_GOALS_ONE_LINE = "年度总体目标只有一行文字，无法确定“预期目标”与“实际完成情况”的分界，请对照原表核对"
UNCERTAIN_VALUE_REJOINED = "指标“{name}”的指标值在文本中被拆成两段（“{head}”与“{tail}”），已拼接为“{value}”，请核对"
UNCERTAIN_NAME_TAIL = "指标名称末尾的“{tail}”在文本中与下一行交错，已归入指标“{name}”，请核对"
UNCERTAIN_LEFTOVER = "有一段文字未能归入任何指标行：“{text}”"
UNCERTAIN_WEIGHT_SUM = (
    "解析出的分值合计 {parsed}（资金 {fund} + 指标 {rows}）与总分行的分值 {printed} 不一致，可能有指标行未识别或读错"
)
UNCERTAIN_FUND_ROW = "资金行“{label}”的数字个数不符，无法可靠读取：{text}"
UNCERTAIN_NO_NAME = "有一行指标（年度指标值“{line}”）在文本中找不到三级指标名称"
UNCERTAIN_LABEL_TIE = (
    "指标“{name}”的{column}在文本中印在几行指标的中间，无法确定它属于上一组还是下一组，暂归入“{label}”，请对照原表核对"
)
UNCERTAIN_LABEL_MISSING = "指标“{name}”的{column}在文本中找不到"
UNCERTAIN_LABEL_UNUSED = "指标标签“{label}”在文本中找不到属于它的指标行"

# --- Downloads (dashboard/outputs/downloads.py) --------------------------------------------------------------------
DOWNLOAD_TITLE = "{table}　范围：{scope}　导出时间：{time}"
DOWNLOAD_SCOPE_ALL = "全部自评表（未筛选）"
DOWNLOAD_CSV = "下载 CSV"
DOWNLOAD_XLSX = "下载 Excel"
DOWNLOAD_CSV_HELP = "UTF-8 编码（带 BOM），Excel 可直接打开中文"
DOWNLOAD_XLSX_HELP = "Excel 工作簿（.xlsx）"
DOWNLOAD_FORM_XLSX = "下载本表（分项表格 .xlsx）"
XLSX_DEFAULT_SHEET = "数据"
# Sheets and row labels of the one-form workbook.
FORM_SHEET_HEADER = "基本信息"
FORM_SHEET_FUNDS = "项目资金"
FORM_SHEET_GOALS = "绩效目标"
FORM_SHEET_INDICATORS = "绩效指标"
FORM_SHEET_CHECKS = "复核发现"
DOWNLOAD_FORM_AS_PRINTED = "下载自评表（原表格式 .xlsx）"
DOWNLOAD_FORM_TABLES_SUFFIX = "（分项表格）"
FORM_FIELD = "项目"
FORM_VALUE = "内容"
FORM_HEADER_FIELDS = {
    "id": FIELD_LABELS["form_id"],
    "source_file": FIELD_LABELS["source_file"],
    "source_pages": "所在页",
    **labels("year", "department", "unit", "project_name", "project_type", "status"),
    **labels("project_amount", "unit_printed", "total_weight"),
    "total_score": "总分（自评）",
    "recomputed_score": "总分（按规则复算）",
    "score_gap": "差额（自评 − 复算）",
}
FUND_ROW_LABELS = {
    "total": "年度资金总额",
    "current_year": "其中：当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
FUND_COLUMNS = {
    "row": "资金",
    "initial_budget": "年初预算数（元）",
    "annual_budget": "全年预算数（元）",
    "executed": "全年执行数（元）",
    "weight": FIELD_LABELS["weight"],
    "rate_pct": "执行率（%）",
    "score": FIELD_LABELS["score"],
}
GOAL_EXPECTED = "预期目标"
GOAL_ACTUAL = "实际完成情况"
CHECK_COLUMNS = {
    "rule": "规则",
    "severity": FIELD_LABELS["severity"],
    "indicator": "指标",
    "message": FIELD_LABELS["message"],
    "claimed": "表上数值",
    "recomputed": "复算数值",
}
# Keyed by the members, read with the plain strings the database gives back (they compare equal).
SEVERITY_LABELS: dict[str, str] = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}

# --- 导入 page (dashboard/ui/pages/import_page.py) --------------------------------------------------------
IMPORT_TITLE = "导入自评表"
IMPORT_INTRO = (
    "上传项目支出绩效自评表，可一次选多个文件：PDF（.pdf）、文本（.txt）、Excel（.xlsx、旧版 .xls）、"
    "Word（.docx、旧版 .doc）、WPS 表格与文字（.et、.wps）、网页（.html、.htm、.mhtml、.mht），"
    "以及扫描件（扫描的 PDF，图片 .jpg、.jpeg、.png、.tif、.tiff）。同一内容的文件只导入一次；"
    "每个文件单独保存，一个文件出错不影响其他文件。"
)
IMPORT_UPLOADER = "选择文件"
IMPORT_UPLOADER_HELP = (
    "支持 .pdf、.txt、.xlsx、.docx、旧版 .xls 与 .doc、WPS 的 .et 与 .wps、网页（.html、.htm、.mhtml、.mht），"
    "扫描的 PDF 与图片（.png、.jpg、.jpeg、.tif、.tiff）用文字识别读取，识别不确定的表先保留、不计入汇总；单个文件不超过 50 MB。"
)
IMPORT_DEFAULTS = "表上未印出时使用的值"
IMPORT_DEFAULTS_HELP = "仅用于表上没有印出年度、主管部门或实施单位的文件；表上已有的以表上为准。"
IMPORT_YEAR = "年度"
IMPORT_YEAR_PLACEHOLDER = "例如 2021"
IMPORT_DEPARTMENT = FIELD_LABELS["department"]
IMPORT_UNIT = "实施单位"
IMPORT_START = "开始导入"
IMPORT_NO_FILES = "请先选择要导入的文件。"
IMPORT_FILE_COUNT = "已选择 {count} 个文件"
IMPORT_RUNNING = "正在导入 {count} 个文件…"
IMPORT_READING = "正在读取文件（PDF 较慢，请稍候）…"
IMPORT_PROGRESS = "已处理 {done} / {total} 个文件"
IMPORT_OCR_PAGE = "正在识别扫描件 {name}：第 {done} / {pages} 页"
IMPORT_FILE_DONE = "{name}：{result}"
IMPORT_DONE = "导入完成"
IMPORT_DONE_WITH_ERRORS = "导入完成，部分文件有错误"
IMPORT_BUSY = "另一个导入正在进行，请等它完成后再试。"
IMPORT_STORE_FAILED = "无法写入数据库，本次没有导入任何文件。"
IMPORT_STORE_WHAT_TO_DO = (
    "如果命令行导入（python -m dashboard import）正在运行，请等它结束；"
    "如果还有别的看板程序打开着同一个数据库，请先关闭它，然后重新点击“开始导入”。"
)
IMPORT_RESULTS = "本次导入结果"
IMPORT_RESULT_FILE = "文件"
IMPORT_RESULT_OUTCOME = "结果"
IMPORT_RESULT_NOTE = "说明"
IMPORT_RESULT_DUPLICATE = "重复"
IMPORT_RESULT_ERROR = "错误"
IMPORT_RESULT_PARTIAL = "有问题"
IMPORT_RESULTS_FILE_STEM = "导入结果"
IMPORT_HISTORY = "导入记录"
IMPORT_HISTORY_EMPTY = "还没有导入记录。"
IMPORT_HISTORY_FILE_STEM = "导入记录"
IMPORT_HISTORY_COLUMNS = {
    "batch_id": "批次",
    "imported_at": "导入时间",
    "file_name": "文件",
    "outcome": "结果",
    "form_count": "表数",
    "new_count": "新增",
    "replaced_count": "替换",
    "duplicate_count": "可能重复",
    "incomplete_count": "不完整",
    "imported_by": "导入人",
    "message": "说明",
}
IMPORT_HISTORY_OUTCOMES = {
    Outcome.IMPORTED: "已导入",
    Outcome.PARTIAL: "有问题",
    Outcome.ERROR: "错误",
    Outcome.REMOVED: "已撤销",
}

# --- Self-score audit (dashboard/audit/audit.py, dashboard/audit/quantities.py) ----------------------------------------
# Rule titles, for counts by rule (audit.RULES).
AUDIT_TITLES = {
    "weights_not_sum": "分值合计与总分分值不符",
    "total_not_sum": "总分与各项得分之和不符",
    "total_rounding": "总分与各项得分之和差额在四舍五入范围内",
    "rate_mismatch": "执行率与执行数÷预算数不符",
    "fund_score_mismatch": "执行率得分与分值×执行率不符",
    "fund_total_not_sum": "年度资金总额与分项之和不符",
    "fund_weight_unusual": "预算执行率分值非常用值",
    "score_above_weight": "得分超过分值",
    "score_above_rule": "自评得分高于评分规则",
    "missing_reason": "扣分或未达标但未写偏差原因",
    "full_score_not_measured": "未计量（不适用/空白）却得满分",
    "actual_is_target_wording": "实际完成值写成指标值表述",
    "actual_unit_mismatch": "实际完成值与指标值口径不同",
    "cost_target_direction": "成本指标用“≥”设定",
    "target_cannot_fail": "指标值设定无法不达成",
    "over_target": "实际完成值远超指标值",
    "low_execution_high_score": "执行率低而总分高",
    "duplicate_indicator": "同一表内三级指标重复",
    "level1_split": "一级指标分值分配与常用分配不同",
    "stopped_with_points": "停用项目仍有指标得分",
    "unit_all_full_marks": "单位全部指标满分（自评流于形式）",
    "not_evaluable": "全部指标未计量，不可评价",
    "execution_cap": "总分超过执行率允许的上限",
    "score_outruns_execution": "指标得分率明显高于预算执行率",
    "copied_text": "不同项目的表中文字雷同",
    "satisfaction_unmeasured": "满意度未实际测量却得分",
    "zero_actual_full_score": "实际未完成却得分",
}
AUDIT_WEIGHTS_NOT_SUM = "分值合计 {recomputed}（执行率 {fund} + 指标 {indicators}）≠ 总分行分值 {claimed}"
AUDIT_TOTAL_NOT_SUM = "总分 {claimed} ≠ 执行率得分 {fund} + 指标得分 {indicators}（= {recomputed}）"
AUDIT_TOTAL_ROUNDING = (
    "总分 {claimed} 与执行率得分 {fund} + 指标得分 {indicators}（= {recomputed}）相差 {gap}，属四舍五入"
)
AUDIT_RATE_MISMATCH = "{row}执行率 {claimed}% ≠ 全年执行数 {executed} ÷ 全年预算数 {budget}（= {recomputed}%）"
AUDIT_RATE_NO_BUDGET = "{row}全年预算数为 0，执行率却印为 {claimed}%"
AUDIT_FUND_SCORE_MISMATCH = "执行率得分 {claimed} ≠ 分值 {weight} × 执行率 {rate}%（= {recomputed}，以分值为上限）"
AUDIT_FUND_TOTAL_NOT_SUM = "年度资金总额的{column} {claimed} ≠ 各分项之和 {recomputed}"
AUDIT_AMOUNT_COLUMNS = {"initial_budget": "年初预算数", "annual_budget": "全年预算数", "executed": "全年执行数"}
AUDIT_BLANK = "空白"
AUDIT_FUND_WEIGHT_UNUSUAL = "预算执行率分值为 {claimed}，{scheme}评分方案的分值为 {allowed}"
AUDIT_SCORE_ABOVE_WEIGHT = "{row}得分 {claimed} 超过分值 {weight}"
AUDIT_ROW_FUND = "预算执行率"
AUDIT_ROW_TOTAL = "总分行"
AUDIT_ROW_INDICATOR = "指标"
AUDIT_FULL_SCORE_MISSED = "实际完成值“{actual}”未达到指标值“{target}”，按规则应得 {recomputed} 分，却自评满分 {claimed}"
AUDIT_SCORE_ABOVE_PRORATED = "实际完成值“{actual}”对指标值“{target}”，按规则最多得 {recomputed} 分，自评 {claimed} 分"
AUDIT_SCORE_ABOVE_BAND = "实际完成值“{actual}”属{band}，按等级最多得 {recomputed} 分，自评 {claimed} 分"
AUDIT_BAND_PARTIAL = "部分达成"
AUDIT_BAND_MISSED = "未达成"
AUDIT_MISSING_REASON_DEDUCTED = "扣 {lost} 分（自评 {claimed} / 分值 {weight}），未填写偏差原因分析及改进措施"
AUDIT_MISSING_REASON_MISSED = "实际完成值“{actual}”未达到指标值“{target}”，未填写偏差原因分析及改进措施"
AUDIT_FULL_SCORE_NOT_MEASURED = "实际完成值为“{actual}”（未实际计量），却得满分 {claimed}"
AUDIT_ACTUAL_IS_TARGET_WORDING = "实际完成值“{actual}”是指标值式的表述（指标值“{target}”），不是实测值"
AUDIT_ACTUAL_UNIT_MISMATCH = (
    "实际完成值“{actual}”（{actual_kind}）与指标值“{target}”（{target_kind}）口径不同，无法比对"
)
AUDIT_COST_TARGET_DIRECTION = "成本指标的指标值“{target}”用“≥”表述：成本应设上限（≤）"
AUDIT_CANNOT_FAIL_SATISFACTION = "满意度指标值“{target}”是上限（≤），满意度越高越好，这样的指标值不会不达成"
AUDIT_CANNOT_FAIL_UPPER = "越低越好的指标值“{target}”上限为 100% 及以上，不会不达成"
AUDIT_CANNOT_FAIL_LOWER = "指标值“{target}”的下限为 0，不会不达成"
AUDIT_OVER_TARGET = "实际完成值“{actual}”为指标值“{target}”的 {pct}%（≥ {threshold}%），指标值可能设置偏低"
AUDIT_LOW_EXECUTION_HIGH_SCORE = "预算执行率 {rate}% 低于 {threshold}%，总分却为 {claimed}（≥ {high}）"
AUDIT_DUPLICATE_INDICATOR = "三级指标“{name}”在同一张表中出现 {count} 次"
AUDIT_LEVEL1_SPLIT = "一级指标分值为 {split}，与{scheme}评分方案的分配（{accepted}）不同"
AUDIT_INDICATOR_POINTS = "一级指标分值为 {split}，合计 {points}，{scheme}评分方案规定指标合计 {expected}"
AUDIT_NOT_EVALUABLE = "全部有分值的指标实际完成值均为“不适用”等未计量内容，无法按规则复算总分：不可评价（不计入复算平均、差额合计和单位排名）"
AUDIT_STOPPED_WITH_POINTS = "项目已停用，指标仍自评得分合计 {claimed}"
AUDIT_UNIT_ALL_FULL_MARKS = "{unit}的 {count} 张自评表（{year}）全部 {indicators} 个指标均为满分，自评可能流于形式"
AUDIT_YEAR_UNKNOWN = "年度未知"
AUDIT_YEAR = "{year}年度"
AUDIT_SPLIT_SEPARATOR = "、"
AUDIT_SPLIT_ITEM = "{level1} {weight}"
AUDIT_ACCEPTED_SEPARATOR = "；或 "
# What kind of number a target or actual is (quantities.Quantity.dimension).
AUDIT_DIMENSIONS = {
    "money": "金额",
    "percent": "百分比",
    "count": "数量",
    "duration": "时长",
    "number": "数值",
}

# --- Audit schemes, configuration file, explaining a recomputation (audit_config.py, audit.py) -------------
NOT_EVALUABLE = "不可评价"
SCHEME_LABELS = {
    "national": "全国通用",
    "anhui": "安徽",
    "sichuan": "四川",
    "hebei": "河北",
    "shanxi": "山西",
}
SCHEME_SOURCES = {
    "national": "财预〔2020〕10号：执行率 10 + 产出 50 + 效益 30 + 满意度 10，亦接受产出 50 + 效益 40（满意度含在效益内）",
    "anhui": "安徽（全国原则）：执行率 10 + 产出 50 + 效益 30 + 满意度 10",
    "sichuan": "四川《部门预算项目支出绩效自评表》：执行率 10 + 绩效指标 90",
    "hebei": "河北：执行率 20 + 产出 40 + 效益与满意度 40；定性指标按 100–80%、80–50%、50–0% 分档",
    "shanxi": "山西：全国分值；未填报成本指标的项目，成本最多得 5 分",
}
SCHEME_SOURCE_FILE = "复核配置文件中定义的评分方案"
CONFIG_BAD_KEY = "复核配置文件 {file} 中的 {key}：{problem}"
CONFIG_UNREADABLE = "复核配置文件 {file} 不存在或无法读取"
CONFIG_NOT_TOML = "复核配置文件 {file} 不是有效的 TOML 格式{where}"
CONFIG_AT_LINE = "（第 {line} 行）"
CONFIG_UNKNOWN_KEY = "不认识的设置项"
CONFIG_WANT_TABLE = "应为表（[...]）"
CONFIG_WANT_TEXT = "应为非空文字"
CONFIG_WANT_TEXTS = "应为文字列表"
CONFIG_WANT_NUMBER = "应为数字"
CONFIG_WANT_NUMBERS = "应为数字列表"
CONFIG_WANT_BOOL = "应为 true 或 false"
CONFIG_WANT_COUNT = "应为不小于 1 的整数"
CONFIG_WANT_SPLITS = '应为分配列表，如 [{ "产出指标" = 50, "效益指标" = 40 }]'
CONFIG_WANT_BANDS = '应为分段列表，如 [[90, "优"], [80, "良"], [60, "中"]]'
CONFIG_OUT_OF_RANGE = "应在 {low} 到 {high} 之间"
CONFIG_NOT_BELOW = "不能小于 {low}"
CONFIG_WANT_CAPS = "应为 [执行率低于（%）, 总分上限] 的列表，如 [[80, 89], [70, 79]]"
CONFIG_BANDS_ORDER = "分段须从高到低排列"
CONFIG_GRADES_REPEATED = "等级名称重复"
CONFIG_NO_SUCH_SCHEME = "没有名为“{name}”的评分方案"
# Explaining a recomputed 总分 (audit.explain_total), row by row.
EXPLAIN_SCHEME = "评分方案"
EXPLAIN_FUND = "分值 × 执行率（以分值为上限）"
EXPLAIN_FUND_AMOUNTS = "{weight} × {rate}%（全年执行数 {executed} ÷ 全年预算数 {budget}）= {result}"
EXPLAIN_FUND_PRINTED = "{weight} × {rate}%（表上印的执行率）= {result}"
EXPLAIN_FUND_NONE = "无执行率或分值，记 0"
EXPLAIN_MET = "达到指标值：得满分"
EXPLAIN_MET_FORMULA = "实际完成值“{actual}”达到指标值“{target}”→ {result}"
EXPLAIN_OVERSPENT = "超出成本上限：记 0 分"
EXPLAIN_OVERSPENT_FORMULA = "实际完成值“{actual}”超过指标值“{target}”→ 0"
EXPLAIN_PRORATED = "未达到指标值：分值 × 实际 ÷ 目标"
EXPLAIN_PRORATED_LOWER = "越低越好、超出指标值：分值 × 目标 ÷ 实际"
EXPLAIN_PRORATED_FORMULA = "{weight} × {top} ÷ {bottom} = {result}（实际“{actual}”，指标值“{target}”）"
EXPLAIN_BANDS = {Band.MET: "达成", Band.PARTIAL: "部分达成", Band.MISSED: "未达成"}
EXPLAIN_BAND = "定性指标，{band}：最多得分值的 {share}%"
EXPLAIN_BAND_FORMULA = "min(自评 {claimed}, {weight} × {share}%) = {result}（实际“{actual}”）"
EXPLAIN_KEPT = "规则无法判断：保留自评分（以分值为上限）"
EXPLAIN_KEPT_FORMULA = "min(自评 {claimed}, 分值 {weight}) = {result}（实际“{actual}”，指标值“{target}”）"
EXPLAIN_NOT_APPLICABLE = "不适用：不参与复算"
EXPLAIN_NOT_APPLICABLE_FORMULA = "实际完成值“{actual}”，分值 {weight} 由其余指标按比例分摊"
EXPLAIN_COST_CAP = "未填报成本指标：成本最多得规定分"
EXPLAIN_COST_CAP_FORMULA = "分值 {weight}，未填报成本指标的成本行合计最多 {cap} 分 → 成本行合计 {result}"
EXPLAIN_RESCALE_ROW = "不适用折算"
EXPLAIN_RESCALE = "剔除不适用指标，其余指标得分折算到指标分值合计"
EXPLAIN_RESCALE_FORMULA = "{points} × {total} ÷ {counted} = {result}"
EXPLAIN_TOTAL = "复算总分"
EXPLAIN_TOTAL_RULE = "执行率得分 + 指标得分"
EXPLAIN_TOTAL_FORMULA = "{fund} + {indicators} = {result}"
EXPLAIN_NOT_EVALUABLE_FORMULA = "没有任何实际计量的指标，无法复算"
EXPLAIN_COLUMNS = {"row": "行", "rule": "规则", "formula": "算式", "result": "得分"}
CLI_AUDIT_SCHEME_HELP = "只重新复核该评分方案（改动前或改动后）涵盖的表，如 national、sichuan、hebei"
CLI_AUDIT_CONFIG_HELP = "复核配置文件（TOML，见 docs/audit-config.example.toml；默认取环境变量 DASHBOARD_AUDIT_CONFIG）"
CLI_AUDIT_NO_SCHEME = "没有名为“{name}”的评分方案；可用：{names}"
REVIEW_COLUMN_SCHEME = "评分方案"
REVIEW_RECOMPUTED_HELP = "按本表评分方案复算的总分；全部指标未计量（不适用）的表为“不可评价”，不计入差额合计和单位排名"
FORM_SCHEME_HELP = "按“{scheme}”评分方案复算（{source}）"
FORM_SCHEME_TITLE = "；方案由表头“{title}”选定"
FORM_HEADER_SCHEME = "评分方案"
REVIEW_STALE_SCHEMES = (
    "{n} 张表的评分方案与当前复核配置不一致（主管部门设置或默认方案已改），下列结果仍按原方案。"
    "请关闭看板后运行 python -m dashboard audit 重新复核。"
)
EXPLAIN_TITLE = "复算过程"
EXPLAIN_HINT = "按本表评分方案逐行复算：每行写明所用规则、带数字的算式和得分，可据此核对复核结果。"

# --- App shell and navigation (dashboard/app.py) -----------------------------------------------------------
APP_TITLE = "绩效自评看板"
APP_ICON = "📊"  # an emoji favicon is drawn in the page; a :material/…: one is fetched from fonts.gstatic.com
NAV_SECTION_VIEW = "查看"
NAV_SECTION_WORK = "数据与复核"
PAGE_OVERVIEW = "总览"
PAGE_PROJECTS = "项目"
PAGE_DEDUCTIONS = "扣分指标"
PAGE_IMPORT = "导入"
PAGE_REVIEW = "复核"
PLACEHOLDER_PAGE = "此页面正在建设中。"

# --- The read-only database handle of the pages (dashboard/ui/db.py) -----------------------------------------
DB_EMPTY_TITLE = "还没有可显示的自评表"
DB_EMPTY_BODY = "数据库里还没有导入任何项目支出绩效自评表。请到“导入”页上传自评表（PDF、文本、Excel、Word、WPS、网页或扫描件），或在命令行运行 python -m dashboard import。"
DB_MISSING_SHORT = "还没有数据库文件（{path}）。"
DB_BUSY_IMPORTING = "正在导入自评表，数据库暂时不可读。请等导入完成后刷新页面。"
DB_READ_FAILED = "读取数据时出错，本页无法显示。错误已记入服务器日志，请告知管理员。"
DB_WHAT_TO_DO = "处理办法：等待导入结束，或关闭占用数据库的程序，然后刷新本页。"
GO_IMPORT = "去导入自评表"
GO_PROJECTS = "去项目页查看"

# --- Sidebar filters (dashboard/queries/filters.py) ----------------------------------------------------------------
FILTERS_HEADER = "筛选"
FILTERS_HELP = "筛选条件对每一页都有效，并写在网址里：复制网址即可分享当前视图。"
FILTER_YEAR = "年度"
FILTER_DEPARTMENT = FIELD_LABELS["department"]
FILTER_UNIT = "实施单位"
FILTER_TYPE = "项目类型"
FILTER_GRADE = "等级"
FILTER_SCORE = "总分范围"
FILTER_SCORE_HELP = "缩小范围后，没有总分的表不再显示。"
FILTER_RATE = "执行率范围（%）"
FILTER_RATE_HELP = "执行率 = 全年执行数 ÷ 全年预算数。拖到最右端表示不设上限（含超过 100% 的表）；缩小范围后，全年预算数为 0 或缺失的表不再显示。"
FILTER_STATUS = "状态"
FILTER_STATUS_OPTIONS = {"all": "全部", "active": "在用", "stopped": "停用"}
FILTER_SEARCH = "搜索项目、指标或原因"
FILTER_SEARCH_HELP = "在项目名称、绩效指标名称和偏差原因分析中查找"
FILTER_SEARCH_PLACEHOLDER = "例如：疫情、满意度"
FILTER_MONEY_UNIT = "金额单位"
FILTER_RESET = "清除全部筛选"
FILTER_ALL = "全部"
FILTER_ANY = "不限"
FILTER_NONE_ACTIVE = "未筛选：显示全部自评表"
FILTER_ACTIVE = "当前筛选：{summary}"
FILTER_SEPARATOR = "；"
FILTER_TEXT_SEARCH = "包含“{text}”"
UNIT_BLANK = "（未填实施单位）"
URL_VALUE_GONE = "链接中的{label} {values} 已不存在，已忽略"
FILTERS_UNAVAILABLE = "数据库暂不可用，筛选暂时不能使用。"
FILTERS_NO_DATA = "导入自评表后，可以在这里按年度、单位、项目类型、等级等筛选。"

# --- Shared labels (dashboard/queries/queries.py, pages, form_view.py) --------------------------------------------
DASH = "—"
MONEY_UNITS = {"万元": "万元", "元": "元"}
NO_REASON = "未说明原因"
STATUS_STOPPED = "停用"
STATUS_ACTIVE = "在用"
GRADE_NONE = "无总分"
ORG_BLANK = "（未填单位）"
COL = {
    **labels("project_name", "project_type", "org", "unit", "department", "year", "status"),
    "budget": "全年预算数（{unit}）",
    "executed": "全年执行数（{unit}）",
    "exec_rate_pct": "执行率",
    "fund_score": FIELD_LABELS["fund_score"],
    "total_score": "总分",
    "grade": "等级",
    "deducted_count": "扣分指标数",
    "unexplained_count": "未说明原因",
    "points_lost": FIELD_LABELS["points_lost"],
    "flags": "复核发现",
    "forms": "自评表数",
    "avg_score": "平均总分",
    **labels("level1", "level2", "name", "target", "actual", "weight", "score", "reason", "source_file", "form_id"),
}
FLAG_COUNTS = {Severity.ERROR: "错误 {n}", Severity.WARNING: "警告 {n}", Severity.INFO: "提示 {n}"}
FLAG_NONE = "无"

# --- 总览 page (dashboard/ui/pages/overview.py) ------------------------------------------------------------
OVERVIEW_TITLE = "总览"
OVERVIEW_INTRO = "当前筛选范围内自评表的总体情况：资金执行、自评得分、等级分布和扣分。点击图中的柱子可以把视图缩小到对应的单位、项目类型或分数段。"
KPI_FORMS = "自评表"
KPI_FORMS_HELP = "导入的项目支出绩效自评表张数"
KPI_PROJECTS = "项目"
KPI_PROJECTS_HELP = "按主管部门、实施单位、项目名称去重后的项目个数"
KPI_BUDGET = "全年预算数"
KPI_EXECUTED = "全年执行数"
KPI_MONEY_HELP = "各表“年度资金总额”行之和"
KPI_RATE = "总体执行率"
KPI_RATE_HELP = "Σ全年执行数 ÷ Σ全年预算数（按金额加权，不是各表执行率的平均）"
KPI_AVG_SCORE = "平均总分"
KPI_GRADE = "{grade}"
KPI_DEDUCTED = "扣分指标"
KPI_DEDUCTED_HELP = "得分低于分值的三级指标个数"
KPI_UNEXPLAINED = "扣分未说明原因"
KPI_UNEXPLAINED_HELP = "扣了分却没有填写偏差原因分析的指标个数"
SECTION_MONEY_SCORE = "资金与得分"
SECTION_FORMS_DEDUCTIONS = "自评表与扣分"
SECTION_GRADES = "等级分布（按总分）"
KPI_MONEY_LABEL = "{label}（{unit}）"
CHART_BY_ORG = "按单位：执行率与平均总分"
CHART_BY_ORG_DEPT = "按主管部门（实施单位未填）：执行率与平均总分"
CHART_BY_TYPE = "按项目类型：执行率与平均总分"
CHART_SCORE_DIST = "总分分布"
CHART_BUDGET_EXEC = "预算与执行（按项目类型）"
CHART_CLICK_HINT = "点击柱子筛选"
SERIES_RATE = "执行率（%）"
SERIES_AVG_SCORE = "平均总分"
SERIES_BUDGET = "全年预算数"
SERIES_EXECUTED = "全年执行数"
AXIS_PERCENT_OR_SCORE = "执行率（%）/ 平均总分"
AXIS_FORMS = "自评表数"
AXIS_SCORE_BIN = "总分区间"
AXIS_MONEY = "金额（{unit}）"
SCORE_BIN_LABEL = "{lo}–{hi}"
SCORE_BIN_NONE = "无总分"
SUMMARY_TABLE = "按项目类型汇总"
SUMMARY_FILE = "按项目类型汇总"
CARD_OPEN_ROWS = "明细"
CARD_OPEN_ROWS_HELP = "打开这个数字背后的自评表或指标（保留当前筛选）"
CARD_SHARE = "{share}"
SHARE_OF_ALL = "占全部 {share}"  # 不评级 and 无总分: of all forms (a grade's share is of the graded forms)
OVERVIEW_PRINT_HINT = "打印本页：按 Ctrl+P（苹果电脑 ⌘+P），按 A4 横向打印，侧栏和按钮不打印。"
UNITS_TABLE = "各单位对比"
UNITS_TABLE_HINT = "每个单位一行（实施单位未填的按主管部门）；点击表头可按该列排序本页，全表可下载。"
UNITS_ORDER = "排列方式"
UNITS_ORDER_OPTIONS = {
    "budget": "预算从多到少",
    "exec_rate": "执行率从低到高",
    "avg_score": "平均总分从低到高",
    "points_lost": "扣分从多到少",
    "unexplained": "未说明原因从多到少",
    "signals": "风险信号从多到少",
}
UNITS_COLUMNS = {"org": "单位", "signals": "风险信号表数"}
UNITS_DEPARTMENT = "{org}（主管部门）"
UNITS_FILE = "各单位对比"

# --- 项目 page (dashboard/ui/pages/projects.py) -----------------------------------------------------------
PROJECTS_TITLE = "项目"
PROJECTS_INTRO = "当前筛选范围内的每一张自评表。点击表头排序；点选一行，在下方查看该表全文。"
PROJECTS_COUNT = "共 {n} 张表"
PROJECTS_FILE = "项目自评表清单"
PROJECTS_PICK = "在上表中点选一行，在这里查看该自评表的全文。"
PROJECTS_SELECTED_GONE = "网址中指定的自评表不在当前筛选范围内。"

# --- One whole form (dashboard/ui/form_view.py) ---------------------------------------------------------------
FORM_META = "主管部门：{department}　实施单位：{unit}　年度：{year}　项目金额：{amount}"
FORM_SOURCE = "来源：{file}{pages}　原表金额单位：{unit}　表编号：{form_id}"
FORM_PAGES = "（第 {pages} 页）"
FORM_FUNDS = "项目资金"
FORM_GOALS = "年度总体目标"
FORM_INDICATORS = "年度绩效指标"
FORM_INDICATORS_HINT = "红底为扣分指标（得分低于分值）。"
FORM_PHONE_POINTS = "{level2}　分值 {weight}　得分 {score}"
FORM_PHONE_LOST = "　扣 {lost} 分"
FORM_PHONE_VALUES = "指标值：{target}　实际完成值：{actual}"
FORM_PHONE_REASON = "偏差原因：{reason}"
FORM_PHONE_FIELD = "{label}：{value}"
FORM_LEVEL1_HEADER = "{level1}：分值 {weight}，得分 {score}"
FORM_CHECKS = "复核发现"
FORM_NO_CHECKS = "没有复核发现。"
FORM_NO_INDICATORS = "表中没有读到绩效指标。"
FORM_EMPTY_TEXT = "（表中未填）"
FORM_CLAIMED = "自评总分"
FORM_RECOMPUTED = "按规则复算总分"
FORM_RECOMPUTED_HELP = "按评分规则重新计算的总分"
FORM_GAP = "差额（自评−复算）"
FORM_GAP_HELP = "自评总分减去按规则复算的总分；为正表示自评偏高"
FORM_TOTAL = "总分"
FORM_TOTAL_OF = "满分 {weight}"
FORM_FUND_SCORE = "执行率得分"
FORM_GRADE = "等级"
FORM_RATE_PRINTED = "表上印的执行率 {printed}"
FORM_INDICATORS_FILE = "{name}_绩效指标"
FORM_CHECK_COLUMNS = {"severity": FIELD_LABELS["severity"], "indicator": "指标", "message": FIELD_LABELS["message"]}

# --- 扣分指标 page (dashboard/ui/pages/deductions.py) ------------------------------------------------------
DEDUCTIONS_TITLE = "扣分指标"
DEDUCTIONS_INTRO = "当前筛选范围内，得分低于分值的每一个三级指标，以及填写的偏差原因。没有填写原因的标为“未说明原因”。"
DEDUCTIONS_NONE = "当前筛选范围内没有扣分指标：所有指标都拿到了满分。"
DEDUCTIONS_KPI_COUNT = "扣分指标"
DEDUCTIONS_KPI_POINTS = "合计扣分"
DEDUCTIONS_KPI_FORMS = "涉及自评表"
DEDUCTIONS_KPI_UNEXPLAINED = "未说明原因"
DEDUCTIONS_CHART = "按二级指标：合计扣分"
DEDUCTIONS_ORDER = "排列方式"
DEDUCTIONS_ORDER_OPTIONS = {"points": "按扣分从多到少", "level2": "按二级指标分组"}
DEDUCTIONS_LEVEL2_FILTER = "只看二级指标"
DEDUCTIONS_LEVEL2_HELP = "也可以点击上图的柱子来选择"
DEDUCTIONS_GROUP_TABLE = "按二级指标汇总"
DEDUCTIONS_TABLE = "扣分明细"
DEDUCTIONS_FILE = "扣分指标"
DEDUCTIONS_GROUP_FILE = "扣分指标_按二级指标汇总"
DEDUCTIONS_COUNT = "共 {n} 个扣分指标"
DEDUCTIONS_ONLY_NO_REASON = "只看未说明原因"
DEDUCTIONS_ONLY_NO_REASON_HELP = "只列出扣了分却没有填写偏差原因分析的指标（写在网址里，可分享）"
DEDUCTIONS_PICK_HINT = "点选一行，在表下查看该指标所在的整张自评表。"
COL_INDICATOR_COUNT = "指标个数"

# --- Empty states (all pages) ------------------------------------------------------------------------------
NO_MATCH = "没有符合当前筛选条件的自评表。"
NO_MATCH_HINT = "请放宽左侧的筛选条件，或点“清除全部筛选”。"

# --- 复核 page (dashboard/ui/pages/review_page.py) --------------------------------------------------------
REVIEW_TITLE = "自评复核"
REVIEW_INTRO = (
    "按评分规则逐表复核自评：每条复核发现标明严重程度。差额 = 自评总分 − 按规则复算的总分，为正表示自评偏高。"
)
REVIEW_RULE_PARSE_UNCERTAIN = "部分内容未能可靠读取"
REVIEW_KPI_SEVERITY = "{severity}"
REVIEW_KPI_SEVERITY_VALUE = "{findings} 条"
REVIEW_KPI_SEVERITY_HELP = "{severity}级复核发现条数；涉及 {forms} 张表"
REVIEW_KPI_FORMS_DELTA = "涉及 {forms} 张表"
REVIEW_KPI_OVERSTATED = "自评偏高的表"
REVIEW_KPI_OVERSTATED_HELP = "自评总分比按规则复算的总分高出 {tolerance} 分以上的表数（共比较 {compared} 张）；差额在 {tolerance} 分以内的视为四舍五入，不算偏高，下表和图中以灰色显示"
REVIEW_KPI_OVERSTATED_DELTA = "差额超过 {tolerance} 分"
REVIEW_KPI_GAP_ROUNDING = "每张表都在 {tolerance} 分以内：四舍五入"
REVIEW_KPI_OVERSTATED_DELTA_WITHIN = "差额超过 {tolerance} 分；另 {n} 张在 {tolerance} 分以内"
REVIEW_CHART_GAP_HINT = "红色：自评比复算高出 {tolerance} 分以上；蓝色：低出 {tolerance} 分以上；灰色：相差在 {tolerance} 分以内，视为四舍五入。"
REVIEW_RULE_GONE = "网址中的规则“{title}”在当前筛选范围内没有发现，已忽略。"
REVIEW_KPI_GAP = "差额合计"
REVIEW_KPI_GAP_HELP = "Σ（自评总分 − 复算总分），单位：分"
REVIEW_NONE = "当前筛选范围内没有复核发现。"
REVIEW_BY_RULE = "按规则统计"
REVIEW_BY_RULE_HINT = "点选一条规则，下方只列出有这条发现的自评表。"
REVIEW_RULE_SELECTED = "只看规则：{title}"
REVIEW_FORMS = "问题最多的自评表"
REVIEW_FORMS_HINT = "错误多的排在前面，其次是警告。点选一行，在下方查看该表的复核发现和全文。"
REVIEW_FORMS_COUNT = "共 {n} 张表有复核发现"
REVIEW_FORM_PICK = "在上表中点选一张自评表，查看它的复核发现和全文。"
REVIEW_FORM_SECTION = "所选自评表：{name}"
REVIEW_FORM_FINDINGS = "复核发现"
REVIEW_BY_UNIT = "按单位：自评与复算总分差额"
REVIEW_BY_UNIT_HINT = "单位为实施单位；未填实施单位的按主管部门计（标“（主管部门）”）。按差额合计从大到小排列。"
REVIEW_UNIT_IS_DEPARTMENT = "{org}（主管部门）"
REVIEW_CHART_GAP = "差额合计（分）"
REVIEW_FILE_RULES = "复核_按规则统计"
REVIEW_FILE_FORMS = "复核_问题自评表"
REVIEW_FILE_FINDINGS = "复核发现_{name}"
REVIEW_FILE_ALL_FINDINGS = "复核发现_全部"
REVIEW_FILE_UNITS = "复核_按单位差额"
REVIEW_ALL_FINDINGS = "全部复核发现（当前筛选范围）"
REVIEW_COLUMNS = {
    "rule": "规则",
    "severity": FIELD_LABELS["severity"],
    "findings": "发现数",
    "forms": "涉及表数",
    **labels("form_id", "project_name", "project_type", "org", "year", "status"),
    "error_count": "错误",
    "warning_count": "警告",
    "info_count": "提示",
    "total_score": "自评总分",
    "recomputed_score": "复算总分",
    "gap": "差额（自评−复算）",
    "indicator": "指标",
    "message": FIELD_LABELS["message"],
    "claimed": "表上数值",
    "recomputed": "复算数值",
    "compared": "可比较表数",
    "overstated": "自评偏高表数",
    "claimed_sum": "自评总分合计",
    "recomputed_sum": "复算总分合计",
    "max_gap": "单表最大差额",
    "errors": "错误",
    "warnings": "警告",
}

# --- Readers: damaged pages and unusable numbers (dashboard/ingest) ---------------------------------------
# A PDF page whose content could not be decoded: the file's error line, and the finding on each form it cuts.
REASON_PAGES_UNREADABLE = "第 {pages} 页无法读取"
PAGE_UNREADABLE = "第 {page} 页无法读取：页面内容已损坏，本表在该页的内容缺失或不完整，请对照原件核对"
# A number cell holding text or an impossible figure: the value is left empty (check value_unreadable / …).
VALUE_UNREADABLE = "{field}印的“{text}”不是可识别的数字，未计入"
VALUE_OUT_OF_RANGE = "{field}印的“{text}”超出可能的范围，未计入"
FIELD_PROJECT_AMOUNT = "项目金额"
FIELD_TOTAL_ROW = "总分行的{column}"
FIELD_FUND_CELL = "{row}的{column}"
FIELD_INDICATOR_CELL = "指标“{name}”的{column}"
FIELD_WEIGHT = FIELD_LABELS["weight"]
FIELD_SCORE = FIELD_LABELS["score"]
FIELD_FUND_COLUMNS = {**AUDIT_AMOUNT_COLUMNS, "weight": FIELD_WEIGHT, "rate_pct": "执行率", "score": FIELD_SCORE}
# Chinese titles of the readers' own findings (rule ids), kept by the audit when it re-runs.
READER_RULE_TITLES = {
    "parse_uncertain": REVIEW_RULE_PARSE_UNCERTAIN,
    "page_unreadable": "页面无法读取",
    "value_unreadable": "数字无法识别",
    "value_out_of_range": "数字超出范围",
}

# --- Accounts and sign-in (dashboard/security/accounts.py, cli_users.py, auth.py, uploads.py) ----------------------
ROLE_LABELS: dict[str, str] = {Role.VIEWER: "查看", Role.IMPORTER: "导入", Role.ADMIN: "管理"}
ACCOUNT_EXISTS = "账号 {name} 已存在。"
ACCOUNT_MISSING = "账号 {name} 不存在。"
ACCOUNT_BAD_NAME = "账号名不能为空、不能超过 {limit} 个字符、不能含控制字符。"
ACCOUNT_BAD_ROLE = "角色只能是 {roles} 之一。"
ACCOUNT_SHORT_PASSWORD = "密码至少 {length} 个字符。"
CLI_USER_HELP = "管理看板账号（一旦有账号，导入页和一切写入都需要登录）"
CLI_USER_ADD_HELP = "新建账号"
CLI_USER_LIST_HELP = "列出全部账号"
CLI_USER_REMOVE_HELP = "删除账号"
CLI_USER_PASSWD_HELP = "修改密码"
CLI_USER_NAME_HELP = "账号名"
CLI_USER_ROLE_HELP = "角色：viewer（查看）、importer（导入）、admin（管理）"
CLI_PASSWORD_STDIN_HELP = "从标准输入读取密码（一行），不交互提问"
CLI_PASSWORD_PROMPT = "密码："
CLI_PASSWORD_AGAIN = "再输一次："
CLI_PASSWORD_MISMATCH = "两次输入的密码不一致。"
CLI_USER_ADDED = "已新建账号 {name}（{role}）。"
CLI_USER_REMOVED = "已删除账号 {name}。"
CLI_USER_PASSWORD_SET = "已修改账号 {name} 的密码。"
CLI_USER_NONE = "还没有账号：看板是单机工具，任何能打开页面的人都能导入。"
CLI_USER_LINE = "{name}\t{role}\t{created}"
SIGNIN_TITLE = "登录"
SIGNIN_INTRO = "此看板需要登录后使用。"
SIGNIN_IMPORT_INTRO = "导入和修改数据需要以“导入”或“管理”角色登录。"
SIGNIN_NAME = "账号"
SIGNIN_PASSWORD = "密码"
SIGNIN_SUBMIT = "登录"
SIGNIN_FAILED = "账号或密码不正确。"
SIGNIN_NO_ROLE = "账号 {name} 的角色是“{role}”，不能导入或修改数据。请用有“导入”角色的账号登录。"
SIGNIN_NO_ACCOUNTS = (
    "看板设置为必须登录，但数据库中还没有账号。请管理员用命令行新建：python -m dashboard user add 账号 --role admin"
)
SIGNIN_AS = "已登录：{name}（{role}）"
SIGNOUT = "退出登录"
UPLOAD_UNNAMED = "未命名文件"
UPLOAD_FAILED = "保存上传文件失败（{kind}）"
IMPORT_UNEXPECTED = "导入时发生意外错误，详情已记入服务器日志。请联系管理员。"
SERVER_PATH = "〈服务器路径〉"

# --- Form versions, completeness, schema (resubmissions) ------------------------------------------------------
DB_TOO_NEW = "数据库文件 {path} 由更新版本的看板创建（数据库第 {version} 版，本程序只认识到第 {supported} 版），无法打开：请升级看板。"
DB_NEEDS_MIGRATION = "数据库文件 {path} 是旧版本（第 {version} 版），需要先升级：请关闭看板后运行 python -m dashboard migrate --db {path}。"
DB_MIGRATION_FAILED = "数据库文件 {path} 升级失败，文件未改动：{detail}"
DB_MIGRATION_STOPPED = (
    "数据库文件 {path} 升级到第 {version} 版时失败：文件完好，停在已完成的第 {reached} 版，处理后可再次升级：{detail}"
)
CLI_MIGRATE_HELP = "把旧版本的数据库升级到本程序的版本"
CLI_MIGRATED = "数据库已是第 {version} 版。"
CLI_MIGRATE_TO_HELP = (
    "把整个数据库（导入记录、各版本的表、账号、参考数据、抽查、整改）复制到一个新位置：数据库文件复制进数据湖"
    "（ducklake:…），或数据湖复制成本地文件；目标必须是新的"
)
MIGRATE_TABLE_LINE = "  {table}：{rows} 行"
MIGRATE_DONE = (
    "已把 {source} 复制到 {target}：{tables} 张表，编号不变；两边每张表的行数相同，"
    "两边全部版本的 JSON 导出逐字节相同（{forms} 张表）。"
)
MIGRATE_TARGET_NOT_EMPTY = (
    "目标 {target} 已有内容（文件已存在，或数据湖里已有表），不复制：请指定一个新文件或空的数据湖。"
)
MIGRATE_LAKE_TO_LAKE = (
    "不能直接从数据湖复制到数据湖：请先复制成本地文件（migrate --to 文件），再从文件复制进新的数据湖。"
)
MIGRATE_SAME = "源和目标是同一个位置，不复制。"
MIGRATE_TABLES_DIFFER = "目标缺少源数据库的表 {tables}：两边不是同一版本的看板，不复制。"
MIGRATE_COUNT_DIFFERS = "复制后核对不符：表 {table} 源有 {source} 行，目标有 {target} 行。请勿使用目标，删除后重试。"
MIGRATE_EXPORT_DIFFERS = "复制后核对不符：{target} 的 JSON 导出与源不同。请勿使用目标，删除后重试。"
MIGRATE_ATTACHMENTS = "整改附件的文件在 {folder}，本命令只复制它们的记录：请把这个文件夹一并复制到目标旁。"
BATCH_NOT_REMOVABLE = "没有编号为 {batch} 的可撤销导入（不存在、导入失败或已撤销）。"
DUPLICATE_NOT_PENDING = "表 {form} 不是待确认的可能重复表，或所选的旧表不是它的候选。"
VERSION_FIELD = {
    **labels("project_name", "year", "department", "unit"),
    "project_amount": "项目金额",
    "goal_expected": "预期目标",
    "goal_actual": "实际完成情况",
    "total_weight": FIELD_LABELS["total_weight"],
    "total_score": "总分",
}
VERSION_FUND_ROW = {
    "total": "年度资金总额",
    "current_year": "当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
VERSION_FUND_FIELD = {
    "initial_budget": "年初预算数",
    "annual_budget": "全年预算数",
    "executed": "全年执行数",
    "weight": FIELD_LABELS["weight"],
    "rate_pct": "执行率",
    "score": FIELD_LABELS["score"],
}
VERSION_ROW_FIELD = {
    **labels("level1", "level2"),
    "target": "指标值",
    **labels("actual", "weight", "score"),
    "reason": "偏差原因",
}
VERSION_CHANGED_FIELD = "{field}：{old} → {new}"
VERSION_CHANGED_FUND = "{row}{field}：{old} → {new}"
VERSION_CHANGED_ROW = "指标“{name}”{field}：{old} → {new}"
VERSION_ROW_ADDED = "新增指标“{name}”"
VERSION_ROW_DROPPED = "删去指标“{name}”"
VERSION_MORE_CHANGES = "另有 {count} 处改动"
VERSION_NO_CHANGES = "内容无改动"
# One file's line: how its forms were placed.
OUTCOME_PLACED_COUNTS = "新增 {new}，替换 {replaced}，可能重复 {duplicate}"
OUTCOME_PLACED = "导入 {count} 张表：" + OUTCOME_PLACED_COUNTS
OUTCOME_REPLACED_DETAIL = "替换“{name}”（{changes}）"
OUTCOME_INCOMPLETE = "{count} 张表不完整，未计入汇总（{details}）"
OUTCOME_INCOMPLETE_ONE = "第 {position} 张{name}缺少{missing}"
OUTCOME_PROBLEMS = "有问题：{problems}"
IMPORT_SUMMARY = (
    "共 {files} 个文件：导入 {imported} 个（{forms} 张表：新增 {new}，替换 {replaced}，可能重复 {duplicate}，"
    "不完整 {incomplete}），重复文件 {duplicates} 个，有问题 {partial} 个，失败 {errors} 个。"
)
# Findings of the import's own checks (domain definitions, not scoring rules).
CHECK_TITLES_IMPORT = {
    "incomplete": "表不完整，未计入汇总",
    "negative_value": "金额或分数为负数",
    "ocr_unsure": "扫描件识别待确认，未计入汇总",
}
# A form read by OCR and held (audit/completeness.ocr_hold): the cells named, counted nowhere until confirmed.
OCR_UNSURE_CELLS = "扫描件识别没有把握的格子（第 {page} 页）：{cells}。请在“导入”页对照原图确认或更正后计入汇总。"
OCR_UNSURE_CELL = "“{text}”（可信度 {confidence:.0%}）"
OCR_UNSURE_MORE = "等 {count} 格"
OCR_UNSURE_VALUE = "扫描件第 {page} 页有数字无法识别：{message}。请在“导入”页对照原图确认或更正后计入汇总。"
OCR_UNSURE_PART = "扫描件第 {page} 页有内容未能可靠读取：{message}。请在“导入”页对照原图确认或更正后计入汇总。"
OCR_UNSURE_ARITHMETIC = (
    "扫描件识别的数字不合表内算术：{message}。可能是识别有误，请在“导入”页对照原图确认或更正后计入汇总。"
)
CHECK_INCOMPLETE = "表不完整，缺少：{missing}。此表不计入任何汇总，请补全后重新导入。"
CHECK_NEGATIVE_AMOUNT = "{field}为负数（{value}）"
FIELD_TOTAL_SCORE = "总分"
FIELD_TOTAL_WEIGHT = "总分分值"
FIELD_INDICATOR_WEIGHT = "指标“{name}”分值"
FIELD_INDICATOR_SCORE = "指标“{name}”得分"
NOT_COUNTED_NOTE = "另有 {incomplete} 张不完整的表、{pending} 张待确认的可能重复表未计入（详见“导入”页）。"
NOT_COUNTED_INCOMPLETE = "另有 {count} 张不完整的表未计入（详见“导入”页）。"
NOT_COUNTED_PENDING = "另有 {count} 张待确认的可能重复表未计入（到“导入”页确认）。"
# The CLI's batches / remove.
CLI_BATCHES_HELP = "列出全部导入（每个文件一次），含新增、替换、可能重复、不完整的表数"
CLI_REMOVE_HELP = "撤销一次导入：它的表移出数据库，被它替换的旧版本恢复为当前版本"
CLI_BATCH_HELP = "导入编号（见 batches）"
CLI_ALL_VERSIONS_HELP = "同时导出被替换的旧版本（带 superseded_by）"
CLI_BATCHES_NONE = "还没有任何导入。"
CLI_REMOVED = "已撤销导入 {batch}（{file}）：移出 {forms} 张表，恢复 {restored} 张旧版本。"
CLI_SAMPLE_CHECK_HELP = "（make clean 用）数据库是否只由示例文件建成：是则退出码 0"
OUTCOME_REPLACED_UNCHANGED = "另有 {count} 张替换的表内容无改动"
# The 导入 page: 可能重复 to settle, incomplete forms, undoing an import.
# 导入: forms read by OCR and held, confirmed or corrected by a person (importing/ocr_confirm.py).
OCR_CONFIRM_TITLE = "待确认的扫描件"
OCR_CONFIRM_INTRO = (
    "这些表由扫描件识别（OCR）读出，有数字识别没有把握或不合表内算术，暂不计入任何汇总。"
    "请对照每格原图核对识别值：无误的照原样确认，有误的在“确认值”中改正，然后点“确认并计入”。"
    "改正后的数字会重新读入本表并重新复核；确认人与时间随表保存。"
)
OCR_CONFIRM_FORM = "{name}（{file}，第 {pages} 页，{unit}）"
OCR_CONFIRM_REASONS = "暂不计入的原因"
OCR_CONFIRM_UNSURE = "识别没有把握的格子（共 {count} 格）"
OCR_CONFIRM_OTHERS = "本表其他数字格子（共 {count} 格，识别有把握；不合算术时可在此改正）"
OCR_CONFIRM_CELL = "第 {page} 页，识别为“{text}”，可信度 {confidence:.0%}"
OCR_CONFIRM_VALUE = "确认值"
OCR_CONFIRM_IMAGE = "原图"
OCR_CONFIRM_PAGE = "页"
OCR_CONFIRM_READ = "识别值"
OCR_CONFIRM_CONFIDENCE = "可信度"
OCR_CONFIRM_NO_IMAGE = "（无原图）"
OCR_CONFIRM_BUTTON = "确认并计入"
OCR_CONFIRM_DONE = "已确认“{name}”：{outcome}"
OCR_CONFIRM_COUNTED = "已计入汇总。"
OCR_CONFIRM_STILL_HELD = "仍不完整（{missing}），未计入汇总。"
OCR_CONFIRM_MORE = "另有 {count} 张待确认的扫描件，确认上面的表后显示。"
OCR_CONFIRM_NOBODY = "（未登录）"
OCR_CONFIRM_NOT_HELD = "这张表不在待确认的扫描件中（可能已被撤销导入或替换），请刷新页面。"
OCR_CONFIRM_ALREADY = "这张表已由 {user} 确认，未重复保存。请刷新页面查看。"
OCR_CONFIRM_NO_BLOCKS = "这张表导入于旧版本，未保存页面版式，只能照原样确认；如需改正，请重新导入原文件。"
OCR_CONFIRM_UNREADABLE = "改正后的内容无法再读成这张表（例如把表头改成了数字），未保存。请检查确认值。"
IMPORT_PENDING = "待确认的可能重复表"
IMPORT_PENDING_INTRO = (
    "下面每张新表都与数据库中的表同名，但没有足够的证据认定是同一张表（相似的旧表不止一张；实施单位等一边印了、"
    "另一边空着；或预算和大部分绩效指标都不同），系统没有自动替换。新旧表并排列出，请逐张确认：它是哪张旧表的"
    "新版本，还是一张单独的表。确认前，它不计入任何汇总。"
)
IMPORT_PENDING_FORM = "新表：{name}（{file}，{unit}，项目金额 {amount}）"
IMPORT_PENDING_REPLACES = "是这张旧表的新版本：{name}（{file}，{unit}，项目金额 {amount}）"
IMPORT_PENDING_KEEP = "是单独的一张表，都保留"
IMPORT_PENDING_CHOICE = "确认"
IMPORT_PENDING_APPLY = "确认"
IMPORT_PENDING_DONE = "已确认。"
IMPORT_INCOMPLETE_COUNT = "不完整的表（{count} 张，未计入汇总）"
IMPORT_INCOMPLETE_MORE = "只列出最近导入的 {shown} 张，共 {total} 张。"
IMPORT_INCOMPLETE_INTRO = (
    "这些表缺少项目名称、年度资金总额、绩效指标或总分，已保存但不计入任何汇总。请补全原表后重新导入。"
)
IMPORT_INCOMPLETE_COLUMNS = {
    "source_file": "文件",
    "position": "文件中第几张",
    "project_name": FIELD_LABELS["project_name"],
    "message": "缺少什么",
}
IMPORT_REMOVE = "撤销一次导入"
IMPORT_REMOVE_HELP = "撤销后，这次导入的表移出数据库，被它替换的旧版本恢复为当前版本；导入记录保留并标为“已撤销”。"
IMPORT_REMOVE_PICK = "选择要撤销的导入"
IMPORT_REMOVE_OPTION = "批次 {batch}：{file}（{time}，{forms} 张表）"
IMPORT_REMOVE_CONFIRM = "我确认撤销这次导入"
IMPORT_REMOVE_BUTTON = "撤销"
IMPORT_REMOVE_DONE = "已撤销批次 {batch}：移出 {forms} 张表，恢复 {restored} 张旧版本。"
IMPORT_REPLACED_DETAILS = "替换的表改了什么"

# --- Scale: synthetic demo data, big tables (dashboard/importing/demo.py, pages at 10⁵ forms) ---
CLI_DEMO_HELP = "生成合成的示例自评表（用于试用和性能测试，标明为示例数据，非真实报送）"
CLI_DEMO_FORMS_HELP = "生成的表数"
CLI_DEMO_SEED_HELP = "随机种子（相同种子生成相同数据）"
CLI_DEMO_DONE = "已生成 {count} 张合成示例表：{path}"

# --- Reference data (dashboard/reference/reference.py, organisations.py, project_types.py, ui/pages/reference_page.py) ---
REF_ORG_LABEL = "{name}（{code}）"
REF_PRINTED_WITH_NAME = "{printed}（{name}）"
REF_TYPE_UNCLASSIFIED = "未分类"
REF_TYPE_DEPARTMENT = "部门整体支出"
REF_ORG_FILE_TYPE = "只能导入 CSV 或 Excel（.xlsx）文件。"
REF_ORG_FILE_ENCODING = "读不出文件的文字：请存为 UTF-8 或 GB18030 编码的 CSV。"
REF_ORG_FILE_UNREADABLE = "Excel 文件已损坏或不是 .xlsx 格式，无法读取。"
REF_ORG_FILE_EMPTY = "文件是空的。"
REF_ORG_FILE_HEADINGS = "第一行要有列名：编码（或 代码）、名称，可选 上级部门（写上级的编码或名称）。"
REF_ORG_FILE_TOO_LONG = "文件超过 {limit} 行，请分开导入。"
REF_ORG_UNKNOWN = "所选的单位已不存在，请刷新页面后重试。"
REF_ORG_DUPLICATE_CODE = "有两行的编码相同：一个编码只能对应一个单位，请合并后再保存。"
REF_RULE_WHERE = "第 {position} 条规则"
REF_RULE_BAD_TYPE = "{where}：类型不能为空，也不能超过 50 个字。"
REF_RULE_UNCLASSIFIED = "{where}：“{type}”表示没有归类，不能作为类型。"
REF_RULE_BAD_FIELD = "{where}：匹配字段只能是 {choices}。"
REF_RULE_BAD_MATCH = "{where}：匹配方式只能是 {choices}。"
REF_RULE_BAD_PATTERN = "{where}：关键词或模式不能为空，也不能超过 {limit} 个字。"
REF_RULE_BAD_REGEX = "{where}：正则表达式有误（{detail}）。"
REF_RULES_FILE_HEADER = (
    "# 项目类型规则（绩效自评看板）。自上而下，第一条匹配的规则决定类型。\n"
    "# field: name（项目名称）| printed_type（表上的类型，即去掉“（停用）”等后缀的项目名称）| code（项目编码）\n"
    "# match: keyword（任一关键词出现即匹配，用 | 分隔）| regex（正则表达式）| exact（完全相同）\n"
    "# 匹配前名称统一为半角、去空格、小写。"
)
REF_RULES_FILE_BAD = "规则文件不是有效的 TOML：{detail}"
REF_RULES_FILE_SHAPE = "规则文件只能包含 [[rule]] 表。"
REF_RULES_FILE_KEYS = "{where}：只能有 type、field、match、pattern 四项，且都是文字。"
PAGE_REFERENCE = "参考数据"
REF_TITLE = "参考数据"
REF_INTRO = (
    "主管部门、实施单位的编码和名称，以及项目类型的归类规则。这里的修改立即作用于所有页面、筛选、图表和下载，"
    "不需要重新导入；各表印的原文保持不变。"
)
REF_TAB_TYPES = "项目类型"
REF_TAB_RULES = "归类规则"
REF_TAB_ORGS = "部门与单位"
REF_TYPES_SUMMARY = "共 {types} 个类型；{unclassified} 个项目（{forms} 张表）未分类。"
REF_TYPES_ALL_CLASSIFIED = "共 {types} 个类型；全部项目都已归类。"
REF_TYPES_COUNTS = "各类型的项目和表数"
REF_TYPES_ONLY_UNCLASSIFIED = "只看未分类的项目"
REF_TYPES_EDITOR_HELP = "在“类型”列为项目选择类型（人工指定优先于规则）；选“按规则”则取消人工指定。"
REF_TYPES_BY_RULE = "按规则"
REF_TYPES_SAVE = "保存归类"
REF_TYPES_SAVED = "已保存 {count} 个项目的类型。"
REF_TYPES_NOTHING = "没有改动。"
REF_TYPES_NEW = "新类型"
REF_TYPES_NEW_HELP = "要用的类型不在列表里时，先在这里添加，再在表中选择。"
REF_TYPES_NEW_ADD = "添加到列表"
REF_TYPES_COLUMNS = {
    "project_name": FIELD_LABELS["project_name"],
    "project_type": "类型",
    "source": "依据",
    "forms": "表数",
    "names": "项目数",
}
REF_SOURCE_PERSON = "人工指定"
REF_SOURCE_NONE = "未匹配"
REF_SOURCE_RULE = "规则 {position}"
REF_RULES_HELP = (
    "自上而下，第一条匹配的规则决定项目类型。匹配字段：项目名称、表上的类型（去掉后缀的名称）或项目编码；"
    "匹配方式：关键词（用 | 分隔，任一出现即匹配）、正则表达式、完全相同。"
)
REF_RULES_COLUMNS = {"project_type": "类型", "field": "匹配字段", "match": "匹配方式", "pattern": "关键词或模式"}
REF_RULE_FIELDS = {"name": FIELD_LABELS["project_name"], "printed_type": "表上的类型", "code": "项目编码"}
REF_RULE_MATCHES = {"keyword": "关键词", "regex": "正则表达式", "exact": "完全相同"}
REF_RULES_SAVE = "保存规则并重新归类"
REF_RULES_SAVED = "规则已保存，全部项目已重新归类。"
REF_RULES_DOWNLOAD = "下载规则（TOML）"
REF_RULES_UPLOAD = "用文件替换规则（TOML）"
REF_RULES_UPLOAD_APPLY = "替换规则"
REF_RULES_RESET = "恢复默认规则"
REF_ORGS_HELP = (
    "表上印的编码、名称或“编码-名称”归到同一个单位下，各处显示为“名称（编码）”。导入表时自动补充；"
    "这里或导入的文件所写的编码和名称优先于表上所印。"
)
REF_ORGS_COLUMNS = {
    "code": "编码",
    "name": "名称",
    "parent": "上级部门",
    "origin": "来源",
    "forms": "表数",
    "spellings": "表上的写法",
}
REF_ORG_ORIGINS = {"forms": "表上所印", "file": "导入文件", "page": "本页修改"}
REF_ORGS_SAVE = "保存部门与单位"
REF_ORGS_SAVED = "已保存，各页面已按新的名称显示。"
REF_ORGS_UPLOAD = "导入编码和名称（CSV 或 Excel）"
REF_ORGS_UPLOAD_HELP = "第一行为列名：编码、名称，可选 上级部门。编码请存为文本，否则 Excel 会去掉开头的 0。"
REF_ORGS_UPLOAD_APPLY = "导入"
REF_ORGS_IMPORTED = "已导入 {count} 行。"
REF_SPELLINGS = "表上的写法归到哪个单位"
REF_SPELLINGS_HELP = (
    "同一单位在各表上写法不同（如“某某镇政府”与“某某镇人民政府”）而没有自动归并时，在这里为写法选择所属单位。"
)
REF_SPELLINGS_COLUMNS = {"spelling": "表上的写法", "label": "归入的单位"}
REF_SPELLINGS_SAVE = "保存写法的归属"
REF_SPELLINGS_SAVED = "已保存 {count} 个写法的归属。"
REF_EDIT_SIGNIN = "查看不需要登录；修改参考数据需要“导入”或“管理”角色的账号。"
REF_NOT_READY = "数据库还没有参考数据表：导入一次表，或运行 python -m dashboard migrate 后即可使用。"
CLI_REFERENCE_HELP = "参考数据：导入部门与单位的编码和名称，导出或导入项目类型规则"
CLI_REF_IMPORT_ORGS_HELP = "导入部门与单位的编码和名称（CSV 或 .xlsx：编码、名称，可选 上级部门）"
CLI_REF_EXPORT_RULES_HELP = "把项目类型规则写到 TOML 文件（不给文件则输出到屏幕）"
CLI_REF_IMPORT_RULES_HELP = "用 TOML 文件替换项目类型规则，并重新归类全部项目"
CLI_REF_TYPES_HELP = "列出各项目类型的项目数和表数，以及未分类的项目"
CLI_REF_FILE_HELP = "文件"
CLI_REF_TYPES_HEADER = "类型\t项目数\t表数（其下缩进列出未分类的项目及其表数）"
CLI_REF_ORGS_IMPORTED = "已导入 {count} 行；现有 {orgs} 个部门和单位。"
CLI_REF_RULES_IMPORTED = "已导入 {count} 条规则，全部项目已重新归类。"
CLI_REF_RULES_EXPORTED = "已把 {count} 条规则写入 {path}"
CLI_REF_FILE_MISSING = "找不到文件：{path}"
PAGE_NUMBER = "页码（共 {pages} 页）"
PAGE_ALL_ROWS = "共 {total} 行"
PAGE_SOME_ROWS = "显示第 {first}–{last} 行，共 {total} 行；翻页查看其余，或下载全部"
CHART_TOP_N = "（{shown} 个，按预算数从大到小；其余 {rest} 个合为“其他”）"
CHART_OTHERS = "其他 {count} 个"
DOWNLOAD_XLSX_TOO_BIG = "共 {rows} 行，超过 Excel 一张工作表的上限（1,048,576 行），请下载 CSV"
DOWNLOAD_BUILT_ON_CLICK = "全部 {rows} 行，点击时生成"

# --- 绩效自评结果汇总报告 (dashboard/outputs/report.py) and year over year (dashboard/queries/yoy.py) ---------------------------
REPORT_TITLE = "绩效自评结果汇总报告"
# The report's headings carry no numbers: report.py numbers them 一、（一）1. in the order they are written.
REPORT_SCOPE = "本报告汇总{years}，{orgs}的{types} {forms} 张项目支出绩效自评表（来自 {files} 个文件{others}）。"
REPORT_SCOPE_EMPTY = "当前范围内没有自评表（{others}）。"
REPORT_SCOPE_YEARS = "{years} 年度"
REPORT_SCOPE_YEAR_SPAN = "{first}—{last}"
REPORT_SCOPE_ONE_DEPARTMENT = "{department} 所属 {units} 个单位"
REPORT_SCOPE_DEPARTMENTS = "{departments} 个主管部门所属 {units} 个单位"
REPORT_SCOPE_NAMED_UNITS = "{units}"
REPORT_SCOPE_OWN_LEVEL = "（含部门本级）"
REPORT_SCOPE_OWN_ONLY = "{department} 部门本级"
REPORT_SCOPE_TYPES = "项目类型为{types}的"
REPORT_SCOPE_OTHERS = "；筛选条件：{filters}"
REPORT_SCOPE_NO_FILTERS = "没有筛选条件"
REPORT_GENERATED = "生成时间：{date}"
REPORT_DATE_FORMAT = "%Y年%m月%d日 %H:%M"
REPORT_NOT_COUNTED = "另有 {incomplete} 张不完整的表、{pending} 张待确认的可能重复表未计入。"
REPORT_KEY_FIGURES = "主要数字"
REPORT_COL_SECTION = "类别"
REPORT_COL_ITEM = "项目"
REPORT_COL_VALUE = "数值"
REPORT_GRADES = "等级分布"
REPORT_GRADES_CHART = "自评等级分布（张）"
REPORT_BY_TYPE = "按项目类型"
REPORT_BY_UNIT = "按单位"
REPORT_LOW_FORM = "{name}（{org}，{year} 年，项目金额 {amount} {unit}，总分 {score}，{grade}）"
REPORT_HEADING_REPEAT = "{text}（之{n}）"
REPORT_BRIEF_UNIT_RATE = "{name}（{rate}）"
REPORT_NO_DEDUCTIONS = "没有扣分指标（低分来自执行率或总分与各项不符，见自评复核）。"
REPORT_DEDUCTIONS = "扣分情况"
REPORT_UNEXPLAINED = "扣了分却未说明原因的指标"
REPORT_REVIEW = "自评复核"
REPORT_SEVERITY = "{label} {findings} 条（{forms} 张表）"
REPORT_COL_RULE = "规则"
REPORT_COL_SEVERITY = FIELD_LABELS["severity"]
REPORT_COL_FINDINGS = "发现"
REPORT_COL_ERRORS = "错误"
REPORT_COL_WARNINGS = "警告"
REPORT_SECOND_LOOK = "需要再看一遍的表（错误最多的在前）："
YOY_TITLE = "与上年比较（{year} 年对 {previous} 年）"
REPORT_YOY = YOY_TITLE
YOY_INTRO = "两年都填报的项目按表的身份对应（同一主管部门、实施单位、项目代码或名称）；只有一年有的项目列为新增或结束，不作比较。卡片上的小字是与上年相比的变化。"
YOY_INTRO_ALL_YEARS = "当前范围含多个年度，上面的卡片是各年度合计；这里比较最近两个年度。在侧栏选定一个年度，卡片上就会显示与上年相比的变化。两年都填报的项目按表的身份对应，只有一年有的项目列为新增或结束。"
YOY_KEY_FIGURES = "主要数字"
YOY_MORE_ROWS = "只显示前 {shown} 行，共 {total} 行；下载可得全部。"
YOY_DETAILS_TOGGLE = "逐个项目比较：两年都填报的项目、新增和结束的项目、连续两年扣分的指标"
YOY_DETAILS_HELP = "打开时才按表的身份逐个对应两年的项目（表多时需要几秒）；每张表显示前 {shown} 行，下载可得全部。"
REPORT_COL_CHANGE = "变化"
REPORT_YOY_BY = "按{label}："
REPORT_YOY_GROUP_COLUMNS = ("上年执行率", "本年执行率", "执行率变化", "上年平均总分", "本年平均总分", "平均总分变化")
REPORT_YOY_PROJECTS = "两年都填报的项目 {count} 个，总分变化（下降最多的在前）："
REPORT_YOY_NEW_ENDED = "新增、结束和无法比较的项目："
REPORT_YOY_RECURRING = "连续两年扣分的指标 {count} 个："
REPORT_REASON_OF = "{year} 年偏差原因"
REPORT_POINTS = "{change} 个百分点"
REPORT_NONE = "无。"
REPORT_MORE_ROWS = "（另有 {count} 行未列出，见看板。）"
REPORT_NO_CHART = "（此处的图表需要 Chromium 生成，本机未找到。）"
REPORT_FORMATS = {"docx": "Word", "pdf": "PDF"}
REPORT_PAGE_FOOTER = ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页")  # texts and Word fields, in order
# The fonts of an official paper, by the names Word knows them (report.py; stand-ins where missing: FONT_STAND_INS)
REPORT_FONT_TITLE = "方正小标宋简体"
REPORT_FONT_HEADING_1 = "黑体"
REPORT_FONT_HEADING_2 = "楷体"
REPORT_FONT_BODY = "仿宋"
REPORT_LIST_SEPARATOR = "、"
REPORT_CLAUSE_SEPARATOR = "，"
REPORT_SENTENCE_END = "。"
REPORT_INTRO_END = "："  # a paragraph ending so introduces the table after it (kept on its page)
REPORT_NUMBERS_1 = "一二三四五六七八九十"
REPORT_HEADING_1 = "{number}、{text}"
REPORT_HEADING_2 = "（{number}）{text}"
REPORT_HEADING_3 = "{number}. {text}"
REPORT_ITEM = "{number}. {text}"
REPORT_CHART_RATE_BY_UNIT = "执行率（%）按单位"
REPORT_CHART_RATE_BY_UNIT_LOWEST = "执行率（%）按单位：最低的 {shown} 个（共 {total} 个单位）"
REPORT_CHART_POINTS_BY_CLASS = "扣分（分）按偏差原因分类"
REPORT_AXIS_RATE = "执行率（%）"
REPORT_CHART_VALUE_SHARE = "{value}（{share}）"
REPORT_AXIS_POINTS = "扣分（分）"
REPORT_FORM_AMOUNT = "{name}（项目金额 {amount} {unit}）"
REPORT_FORM_ORG = "{name}（{org}）"
REPORT_FORM_NTH = "{name}（第 {n} 张）"
# --- the 要点 page (dashboard/outputs/briefing.py) ---
REPORT_BRIEF = "要点"
REPORT_BRIEF_FINDINGS = "主要情况"
REPORT_BRIEF_PROBLEMS = "主要问题"
REPORT_BRIEF_SUGGESTIONS = "建议"
REPORT_BRIEF_NO_PROBLEMS = "按本报告的规则，没有发现需要特别提出的问题。"
REPORT_BRIEF_NO_SUGGESTIONS = "继续保持现有的预算执行和自评质量。"
REPORT_BRIEF_RULES = (
    "说明：要点中的数字与看板“总览”的卡片相同。单位和项目类型按执行率（Σ全年执行数 ÷ Σ全年预算数）和平均总分（只计评级的表）"
    "排出最高和最低；执行率低于 {rate} 的单位、等级为{low}的表、未说明原因的扣分、复核发现的错误和预警级风险信号列为问题；"
    "某一原因大类的扣分占全部扣分 {share} 及以上时列为问题。"
)
REPORT_BRIEF_MONEY = (
    "资金执行：{budget_label} {budget} {unit}，{executed_label} {executed} {unit}，{rate_label} {rate}{change}。"
)
REPORT_BRIEF_SCORE = "自评得分：{label} {score} 分（{graded} 张评级表的平均{not_graded}）{change}。"
REPORT_BRIEF_SCORE_NONE = "自评得分：没有评级的表，{label}为 {score}。"
REPORT_BRIEF_NOT_GRADED = "；另有 {n} 张表不评级，不计入平均"
REPORT_BRIEF_CHANGE = "，较 {previous} 年 {change}"
REPORT_BRIEF_CHANGE_SCORE = "，较 {previous} 年 {change} 分"
REPORT_BRIEF_UNCHANGED = "，与 {previous} 年持平"
REPORT_BRIEF_GRADES = "等级分布：评级的 {graded} 张表中，{parts}{not_graded}。"
REPORT_BRIEF_GRADE_PART = "{grade} {count} 张"
REPORT_BRIEF_GRADE_SHARE = "{grade} {count} 张（{share}）"
REPORT_BRIEF_GRADES_NOT_GRADED = "；另有 {count} 张{label}"
REPORT_BRIEF_GROUPS = "{label}比较（{n} 个）：执行率最高的是{rate_best}，最低的是{rate_worst}{scores}。"
REPORT_BRIEF_GROUP_SCORES = "；平均总分最高的是{score_best}，最低的是{score_worst}"
REPORT_BRIEF_GROUP_VALUE = "{name}（{value}，{forms} 张表）"
REPORT_BRIEF_GROUP_UNIT = "单位"
REPORT_BRIEF_GROUP_TYPE = "项目类型"
REPORT_BRIEF_POINTS = "扣分：{label} {deducted} 个，共扣 {points} 分{classes}。"
REPORT_BRIEF_POINTS_CLASSES = "；按偏差原因分类，扣分最多的是{parts}"
REPORT_BRIEF_POINTS_NONE = "扣分：没有扣分指标。"
REPORT_BRIEF_UNEXPLAINED = "未说明原因：{label} {n} 个（占扣分指标的 {share}），涉及 {forms} 张表。"
REPORT_BRIEF_UNEXPLAINED_NONE = "未说明原因：每个扣分指标都说明了偏差原因。"
REPORT_BRIEF_REVIEW = "自评复核：{parts}；{signal_label} {signals}{top_signal}。"
REPORT_BRIEF_TOP_SIGNAL = "，最多的是“{title}”（{forms} 张表）"
REPORT_BRIEF_PROBLEM_RATE = "执行率低于 {rate} 的单位 {n} 个：{units}。"
REPORT_BRIEF_ADVICE_RATE = "督促执行率低于 {rate} 的 {n} 个单位加快预算执行，在自评中说明执行率偏低的原因。"
REPORT_BRIEF_PROBLEM_OVERALL_RATE = "{label}只有 {rate}，低于 {threshold}。"
REPORT_BRIEF_ADVICE_OVERALL_RATE = "对{label} {rate} 的原因逐项目分析，未实施或无需实施的资金及时调整或收回。"
REPORT_BRIEF_PROBLEM_DECLINE = "{label}较 {previous} 年下降 {amount} 分。"
REPORT_BRIEF_ADVICE_DECLINE = "对照“{section}”一节，找出{label}下降 {amount} 分的单位和项目，分析原因。"
REPORT_BRIEF_PROBLEM_LOW_GRADES = "等级为{grades}的表 {n} 张。"
REPORT_BRIEF_ADVICE_LOW_GRADES = "对等级为{grades}的 {n} 张表逐项分析扣分原因，提出整改措施并跟踪落实。"
REPORT_BRIEF_PROBLEM_CLASS = "扣分集中在“{reason_class}”：{points} 分，占全部扣分的 {share}。"
REPORT_BRIEF_ADVICE_CLASS = "针对“{reason_class}”类扣分（{points} 分）：{advice}"
REPORT_BRIEF_CLASS_ADVICE = {
    "目标设定": "编制下年预算时按实际情况校准绩效目标值和预算数。",
    "执行": "加快项目实施、采购和资金支付进度，按时完工验收。",
    "外部因素": "设定目标时预留应对外部因素的余地，自评时附上外部因素的佐证材料。",
    "证据不足": "补齐佐证材料，按要求开展满意度调查。",
    "未实施": "未实施或无需实施的项目及时调整或收回预算。",
}
REPORT_BRIEF_ADVICE_CLASS_OTHER = "逐条分析扣分原因，落实改进措施。"
REPORT_BRIEF_PROBLEM_UNEXPLAINED = "{n} 个扣分指标未说明偏差原因（占扣分指标的 {share}），涉及 {forms} 张表。"
REPORT_BRIEF_ADVICE_UNEXPLAINED = (
    "请涉及的 {forms} 张表的填报单位补充 {n} 个扣分指标的偏差原因说明（清单见“{section}”）。"
)
REPORT_BRIEF_PROBLEM_ERRORS = "自评复核发现错误 {findings} 条，涉及 {forms} 张表。"
REPORT_BRIEF_ADVICE_ERRORS = "对有错误的 {forms} 张表逐表核对，更正后重新导入（清单见“{section}”）。"
REPORT_BRIEF_PROBLEM_SIGNALS = "{label} {n}。"
# The 要点's spot-check and 整改 sentences (issue 20).
REPORT_BRIEF_SPOT = (
    "抽查复核：{plans} 个抽查计划中已复核 {forms} 张表，平均偏离度 {mean}；偏离度绝对值达到 {threshold} 的 {marked} 张，"
    "复核后等级变化的 {changed} 张。"
)
REPORT_BRIEF_PROBLEM_SPOT = "抽查复核中 {n} 张表的自评总分与复核总分偏离 {threshold} 以上。"
REPORT_BRIEF_ADVICE_SPOT = (
    "对偏离度 {threshold} 以上的 {n} 张表，请填报单位说明原因并纳入整改（清单见“抽查复核”一节）。"
)
REPORT_BRIEF_RECTIFY = "整改：尚未核验的整改事项 {open} 项，其中逾期 {overdue} 项。"
REPORT_BRIEF_PROBLEM_RECTIFY = "{n} 项整改已过期限仍未核验。"
REPORT_BRIEF_ADVICE_RECTIFY = "督促逾期的 {n} 项整改尽快反馈，财政部门及时核验（清单见“整改情况”一节）。"
REPORT_BRIEF_ADVICE_SIGNALS = "对 {n}有预警级风险信号的表安排重点抽查。"
YOY_CHANGE_KINDS = {"new": "新增", "ended": "结束", "ambiguous": "无法比较（同名项目不止一个）"}
CLI_REPORT_HELP = "生成绩效自评结果汇总报告：Word，或装有 LibreOffice 时 PDF（与看板同样的筛选）"
CLI_REPORT_OUTPUT_HELP = "报告文件（.docx 或 .pdf）"
CLI_REPORT_YEAR_HELP = "年度（可多次给出）"
CLI_REPORT_DEPARTMENT_HELP = "主管部门（可多次给出）"
CLI_REPORT_UNIT_HELP = "实施单位（可多次给出）"
CLI_REPORT_TYPE_HELP = "项目类型（可多次给出）"
CLI_REPORT_WRITTEN = "已写出汇总报告：{path}"
DOWNLOAD_REPORT = "下载汇总报告（Word）"
DOWNLOAD_REPORT_PDF = "下载汇总报告（PDF）"
DOWNLOAD_REPORT_PDF_HELP = "由 LibreOffice 把 Word 报告转成 PDF，需要十几秒"
REPORT_PDF_NO_LIBREOFFICE = "生成 PDF 需要 LibreOffice（soffice），本机未安装。请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install libreoffice-writer），或改用 Word 格式（--format docx）。"
REPORT_PDF_TIMEOUT = "LibreOffice 在 {seconds} 秒内没有把报告转成 PDF，已停止。请稍后重试，或改用 Word 格式。"
REPORT_PDF_FAILED = "LibreOffice 没能把报告转成 PDF。请改用 Word 格式。"
CLI_REPORT_FORMAT_HELP = "报告格式：docx（Word，默认）或 pdf（需要 LibreOffice）；不给出时按 --output 的后缀"
DOWNLOAD_FORMS_AS_PRINTED = "下载筛选出的自评表（原表格式，每表一页，最多 {limit} 张）"
DOWNLOAD_FORMS_AS_PRINTED_TOO_MANY = "当前筛选出 {total} 张表，超过 {limit} 张；请先缩小筛选范围（或下载上面的表格）。"
PRINTED_FORMS_FILE_STEM = "自评表（原表格式）"
REPORT_FILE_STEM = "绩效自评结果汇总报告"
CLI_REPORT_NO_MATCH = "没有唯一对应“{value}”的筛选值；可选：{options}"
CLI_PARQUET_NEEDS_OUTPUT = "Parquet 格式需要用 --output 指定输出文件。"
REVIEW_UNITS_TOP = "图中为总分差额最大的 {shown} 个单位（共 {total} 个有差额的单位，全部见下表）"

# --- Layouts and long documents (issue 8): forms found among other pages, the 部门整体 page ---------------------
OUTCOME_PAGES_WITHOUT_FORM = "另有 {count} 页不是自评表，已跳过：{pages}"
DEPARTMENT_PAGE_TITLE = "部门整体"
DEPARTMENT_PAGE_CAPTION = "部门整体支出绩效自评表：各部门的预算、执行率、总分和绩效指标（不计入项目汇总）"
DEPARTMENT_PAGE_LINK = "部门整体支出绩效自评 →"
DEPARTMENT_PAGE_EMPTY = "当前筛选下没有部门整体支出绩效自评表。"
DEPARTMENT_PAGE_NONE = "数据库中还没有部门整体支出绩效自评表。导入部门整体自评表后，会在这里列出。"
DEPARTMENT_PAGE_INDICATORS = "部门“{department}”（{year} 年度）的绩效指标"
DEPARTMENT_PAGE_PICK = "查看哪个部门的绩效指标"
DEPARTMENT_FILE_STEM = "部门整体自评"
DEPARTMENT_INDICATORS_FILE_STEM = "部门整体绩效指标"
# A form's versions (dashboard/ui/history_view.py).
HISTORY_TITLE = "版本历史"
HISTORY_INTRO = "这张表报送过 {count} 次；汇总只计当前版本，旧版本留作记录。"
HISTORY_COLUMNS = {"imported_at": "导入时间", "source_file": "文件", "state": "状态", "changes": "比上一版改了什么"}
HISTORY_CURRENT = "当前版本"
HISTORY_OLD = "已被替换"

# --- damaged Office files (ingest/office.py): the detail after REASON_OFFICE_DAMAGED ---
OFFICE_NOT_A_PACKAGE = "不是完整的压缩包（文件被截断或内容被改动）"
OFFICE_PART_DAMAGED = "内部文件“{part}”的数据已损坏（校验不符）"
OFFICE_SHEET_MISSING = "工作簿列出的第 {number} 张工作表“{name}”缺失"
OFFICE_CONTENT_UNREADABLE = "内容无法解析（内部文件缺失或格式错误）"

# --- text copies (ingest/text.py) ---
UNCERTAIN_REASON_OR_NAME = (
    "“{text}”读作指标“{above}”的偏差原因，但该指标满分、无需说明：也可能是下一行指标“{name}”名称的开头，请对照原件核对"
)
UNCERTAIN_ODD_LEVEL = "指标类别“{label}”不以“指标”结尾：可能混进了别的单元格的文字，请对照原件核对"
FIELD_ROW = "这一行"
UNCERTAIN_ROW_WIDTH = (
    "这一行有 {cells} 个单元格，表格其余各行都是 {width} 个：可能缺了或多了“|”，单元格错位，请对照原件核对：{text}"
)
UNCERTAIN_NO_GOALS = "未读到年度总体目标（预期目标和实际完成情况都是空的）"
UNCERTAIN_STRAY_LINE = "表格中间有一行文字不在任何单元格里，未读入：{text}（副本可能缺行或错行，请对照原件核对）"
UNCERTAIN_DAMAGED_CHARACTERS = (
    "“{field}”中有表上不会印的字符（控制字符或孤立的“|”），文件可能已损坏，请对照原件核对：{text}"
)
UNCERTAIN_FUND_ROW_UNKNOWN = "资金表中有一行读不出是哪一行资金，未计入：{text}"
UNCERTAIN_FUND_ROW_MISSING = "资金表缺少“{row}”行：文本可能不完整，请对照原件核对"
UNCERTAIN_TWO_ROWS = "指标“{name}”的偏差原因读起来像另一行指标（“{text}”）：可能两行连成了一行，请对照原件核对"
REASON_TEXT_NOT_READ = "文本中有自评表的标签，但读不出任何内容（项目名称、资金、指标、总分都没有）：版式无法识别，请改用 PDF、Excel 或 Word 原件导入"
# --- consistency of the forms of one file (ingest/consistency.py) ---
UNCERTAIN_NEAR_LEVEL = "指标类别“{label}”与标准的“{standard}”只差一个字：可能是文件损坏或录入错误，请对照原件核对"
UNCERTAIN_UNNAMED_INDICATOR = "有一行指标没有读出指标名称（指标值“{target}”）：可能错行，请对照原件核对"
UNCERTAIN_SECTION_TWICE = "本表的文字中“{label}”出现了两次：可能两张表连在了一起、中间的内容丢失，请对照原件核对"
UNCERTAIN_ROW_TWICE = "同一行印了两次：{text}（文本可能有重复的行，请对照原件核对）"
UNCERTAIN_LABEL_IN_CELL = "指标“{name}”的{field}读作“{text}”，像是一个指标类别：可能错行，请对照原件核对"
UNCERTAIN_NO_LEVEL2 = "指标“{name}”没有读出二级指标，本表其他指标都有：可能错行，请对照原件核对"
UNCERTAIN_FIELD_CUT = (
    "本表的“{field}”读作“{text}”，同一文件的其他 {others} 张表都是“{full}”：可能被截断，请对照原件核对"
)
UNCERTAIN_FIELD_EXTENDED = (
    "本表的“{field}”读作“{text}”，同一文件的其他 {others} 张表都是“{full}”，本表多出了后面的文字："
    "可能混入了别的内容，请对照原件核对"
)
UNCERTAIN_HEADING_NEAR = "表头“{text}”与“{label}”只差一个字，这一列没有读取：可能损坏，请对照原件核对"
UNCERTAIN_TITLE_WITHOUT_FORM = (
    "文本在本表之后还印有标题“{title}”，但其后没有表的内容：文件可能不完整（被截断），后面的表可能缺失，请对照原件核对"
)
UNCERTAIN_TEXT_CUT = "文本以不完整的“{text}”结尾（这里的每张表以“{line}”开头）：文件可能不完整（被截断），后面的表可能缺失，请对照原件核对"
UNCERTAIN_ROWS_AFTER_TOTAL = (
    "本表“总分”行之后还有 {count} 行像指标的内容（如“{text}”），没有读取：可能是另一张表缺了标题和表头，请对照原件核对"
)
UNCERTAIN_CATEGORY_BOTH_WAYS = "指标类别“{label}”下既有“不适用”行，又有计分的指标：可能漏了一行类别名称，请对照原件核对"
UNCERTAIN_NAME_PUNCTUATION = "项目名称只读出标点“{text}”，按没有项目名称处理：请对照原件核对"
UNCERTAIN_FUND_SUB_ROW_POINTS = (
    "资金表的“{row}”行读出了分值或得分，只有“年度资金总额”行才有：可能错位或损坏，请对照原件核对"
)
UNCERTAIN_XREF_REBUILT = "PDF 文件的结构已损坏（交叉引用表与文件内容不符），内容是程序重建后读出的：请对照原件核对"
UNCERTAIN_FIELD_NOT_READ = "本表没有读出“{field}”，同一文件的其他 {others} 张表都有：文件可能损坏，请对照原件核对"
# --- Every page accounted for (issue 17): why a page of a file holds no form (dashboard/ingest/pages.py) ---
PAGES_OF_KIND = "第 {pages} 页{kind}"
PAGE_KIND_NARRATIVE = "是说明文字"
PAGE_KIND_CONTENTS = "是目录"
PAGE_KIND_TABLE = "是其他报表"
PAGES_SCANNED = "第 {pages} 页是扫描件，未读取（如有自评表，需要另行录入）"
PAGES_FORM_UNREAD = "第 {pages} 页像是自评表（印有表名或表头），但没有读出表格（可能是没有表格线的表），请核对原件"
# --- Form identity (issue 17): 可能重复 side by side, the year neither printed nor given ---------------------
IMPORT_PENDING_COMPARE_FIELD = "项目"
IMPORT_PENDING_COMPARE_NEW = "新表（待确认）"
IMPORT_PENDING_COMPARE_OLD = "已存的表 {number}"
IMPORT_PENDING_COMPARE_ROWS = {
    "file": "文件",
    "name": FIELD_LABELS["project_name"],
    **labels("department", "unit", "year"),
    "amount": FIELD_LABELS["project_amount"],
    "initial_budget": "年初预算数（元）",
    "budget": "全年预算数（元）",
    "executed": "全年执行数（元）",
    "score": "总分",
    "indicators": "绩效指标行数",
}
IMPORT_YEAR_BLANK_WARNING = (
    "年度留空：表上没有印年度的表导入后没有年度，不出现在按年度的统计和筛选中（替换已有的表时沿用被替换表的"
    "年度）。若这些文件是同一年度的，请先填写年度。导入后每个文件的结果会注明几张表没有年度。"
)
OUTCOME_NO_YEAR = "{count} 张表既未印年度也未填写年度，不出现在按年度的统计中"
# --- Forms that are not graded (issue 17): 停用 and 不可评价 forms on a card of their own ------------------------
NOT_GRADED = "不评级"
# Why a form is not graded: the keys are domain.NOT_GRADED_REASONS.
NOT_GRADED_REASONS = {
    "stopped": "项目停用",
    "not_evaluable": "不可评价：有分值的指标均未计量（如“不适用”）",
    "no_indicator_points": "指标均无分值：总分只有执行率一项，不是百分制",
    "no_budget": "全年预算数为 0 且未支出：本年没有可执行的资金",
}
NOT_GRADED_HELP = (
    "不评定等级的表：{reasons}。这些表照常列出、可以查看，但不计入等级分布、平均总分、排名、低分清单和与上年的比较。"
)
NOT_GRADED_REASON_SEPARATOR = "；"
NOT_GRADED_LIST = "列出这 {n} 张表"
NOT_GRADED_LIST_HELP = "在卡片下方列出这些表及其不评级原因"
NOT_GRADED_OPEN_PROJECTS = "在“项目”页查看这些表（等级筛选为“不评级”）"
NOT_GRADED_SCORE_DIST = "另有 {n} 张不评级的表不在图中（见“不评级”卡片）"
NOT_GRADED_COLUMN = "不评级原因"
KPI_AVG_SCORE_GRADED_HELP = "评定等级的各表自评总分的算术平均（不含没有总分的表和{not_graded}的表）"
KPI_GRADE_BAND_HELP = "总分在此等级区间的表数：{band}（不含{not_graded}的表）"
GRADE_BAND_TOP = "≥ {low}"
GRADE_BAND_MIDDLE = "{low} – {high}"
GRADE_BAND_BOTTOM = "< {high}"
GRADE_BAND_SEPARATOR = "，"
FILTER_GRADE_BANDS_HELP = "按总分：{bands}；“{not_graded}”为停用、不可评价等不评定等级的表"
REVIEW_KPI_GAP_NOT_GRADED = "；{n} 张不评级的表（停用、不可评价等）不计入差额合计和单位排名"
REPORT_LOW_SCORES_OF = "低分项目（等级为{grades}）及其扣分指标"
REPORT_LOW_GRADES_SEPARATOR = "、"
YOY_NOT_GRADED_SCORE = "{score}（不评级）"
# --- Broken database files (connect.open_error) ---
DB_DAMAGED = (
    "数据库文件已损坏：{path}（{reason}），无法读取。处理办法：关闭看板和正在运行的命令，"
    "用最近的备份替换这个文件（见 README“备份”一节）；没有备份时，把它改名留存，再重新导入原始自评表。"
)
DB_TRUNCATED = "文件不完整，末尾缺了一部分，可能复制或写入时中断了"
DB_DAMAGED_READ = "部分内容读不出来"
DB_NEWER_DUCKDB = (
    "数据库文件 {path} 是由更新版本的 DuckDB 写成的，本程序所用的 DuckDB {version} 读不了它"
    "（为使用 DuckLake，本版本固定在 DuckDB {version}）。文件本身没有改动。处理办法：用 --db 指定一个新文件，"
    "把原始的自评表文件重新导入；或继续用写它的旧版本程序打开它。"
)
DB_NOT_DUCKDB = (
    "文件 {path} 不是看板的数据库（不是 DuckDB 数据库文件，或文件头已被破坏）。"
    "处理办法：检查 --db 或 DASHBOARD_DB 指向的文件是否正确；若文件头被破坏，请用最近的备份替换它。"
)

# --- Sign-in brakes and session ends (dashboard/security/signin_guard.py, dashboard/ui/auth.py) ---
SIGNIN_WAIT = "登录失败次数较多，请 {seconds} 秒后再试。"
SIGNIN_LOCKED = "登录失败次数过多，该账号或本机的登录已暂时锁定，请 {minutes} 分钟后再试；忘记密码请联系管理员。"
SIGNIN_TOO_MANY_AT_ONCE = "同时登录的人太多，请稍后再试。"
SIGNIN_IDLE_ENDED = "长时间未操作，已自动退出登录，请重新登录。"
SIGNIN_CREDENTIALS_CHANGED = "账号的密码或角色已变更（或账号已删除），请重新登录。"
CLI_USER_ROLE_CHANGE_HELP = "修改账号的角色（该账号已打开的页面需重新登录）"
CLI_USER_ROLE_SET = "已把账号 {name} 的角色改为“{role}”。"
# --- Outputs: files written whole, backups, permissions (output_files.py, backup.py, uploads.py) ---------------
OUTPUT_DISK_FULL = "磁盘已满（或超出配额），未能写出 {path}；原有文件未改动。请腾出空间后重试。"
OUTPUT_FAILED = "未能写出 {path}（{reason}）；原有文件未改动。"
CLI_BACKUP_HELP = "备份数据库（看板和读取命令可以照常运行；导入进行中时会提示稍后再试）"
CLI_BACKUP_OUTPUT_HELP = "备份文件（已有的同名文件在备份写完并核对无误后才被替换）"
CLI_RESTORE_HELP = "用备份文件恢复数据库（原数据库改名保留；有程序占用数据库时拒绝）"
CLI_RESTORE_FILE_HELP = "备份文件（python -m dashboard backup 写出的文件）"
BACKUP_DONE = "已备份到 {path}：{forms} 张表，{tables} 个数据表，重新打开核对各表行数一致。"
RESTORE_DONE = "已用 {file} 恢复数据库 {path}：{forms} 张表。"
ATTACHMENTS_COPIED = "整改附件 {count} 个已一并复制到 {path}。"
BACKUP_ATTACHMENTS_FAILED = "数据库已复制，但整改附件未能复制到 {path}（磁盘已满或没有写权限？），请处理后重新执行。"
RESTORE_ASIDE = "原数据库已改名保留为 {aside}（确认无误后可自行删除）。"
RESTORE_BUSY = (
    "数据库文件 {path} 正被其他程序使用（导入、看板页面或其他命令），未做任何改动。请等导入结束、或停止看板后再恢复。"
)
BACKUP_NOT_DATABASE = "{path} 不是本看板的数据库文件（无法作为 DuckDB 数据库打开，或其中没有自评表数据）。"
BACKUP_SAME_FILE = "{path} 就是数据库本身（或它的 .wal）：备份请写到另一个文件，恢复请用另一个备份文件。"
BACKUP_MISMATCH = "备份写出后重新打开核对不一致（{tables}），未写出备份；原有文件未改动。"


# --- Risk signals (audit rules that mark a form for 抽查复核; docs/scoring-rules.md) ---------------------------
AUDIT_EXECUTION_CAP = "预算执行率 {rate}% 低于 {below}%，总分最高 {cap} 分，自评总分却为 {claimed}"
AUDIT_SCORE_OUTRUNS_EXECUTION = (
    "指标得分率 {share}%（{points} / {weight}）比预算执行率 {rate}% 高 {gap} 个百分点（> {threshold}）："
    "绩效完成程度与资金执行进度不匹配"
)
AUDIT_SATISFACTION_UNMEASURED = "满意度实际完成值“{actual}”不是测得的数值（无调查比例），却得 {claimed} 分"
AUDIT_ZERO_ACTUAL_SCORED = "实际完成值“{actual}”表示未完成，却得 {claimed} 分（分值 {weight}）"
AUDIT_COPIED_TEXT = (
    "{field}“{excerpt}”（{length} 字）与其他 {projects} 个项目的表雷同（本单位 {same} 个、其他单位 {other} 个），"
    "如“{example}”"
)
AUDIT_COPY_FIELDS = {"reason": "偏差原因", "goal_expected": "年度总体目标", "goal_actual": "实际完成情况"}
# The 复核 page's 风险信号 view and the 总览's count.
SIGNALS_HEADING = "风险信号"
SIGNALS_INTRO = (
    "抽查复核前常看的信号：执行率封顶、得分快于执行、超额完成、文字雷同、满意度未测、单位全部满分、未完成却得分。"
    "点选一行规则或单位，下方列出相应的表；所选规则和单位写入网址，可收藏或转发。"
)
SIGNALS_BY_RULE = "按信号"
SIGNALS_BY_UNIT = "按单位（涉及表数）"
SIGNALS_FORMS = "带有信号的表"
SIGNALS_SELECTED = "当前：{rule} · {org}"
SIGNALS_ANY_RULE = "全部信号"
SIGNALS_ANY_ORG = "全部单位"
SIGNALS_CLEAR = "清除选择"
SIGNALS_NONE = "筛选范围内的表没有风险信号。"
SIGNALS_TOTAL = "合计"
SIGNALS_COLUMNS = {
    "rule": "信号",
    "severity": "级别",
    "findings": "发现数",
    "forms": "涉及表数",
    "org": "单位",
    "project_name": "项目名称",
    "year": "年度",
    "total_score": "自评总分",
    "signals": "信号数",
    "rules": "信号",
    "messages": "说明",
    "form_id": "表编号",
}
SIGNALS_FILE_RULES = "风险信号_按信号"
SIGNALS_FILE_UNITS = "风险信号_按单位"
SIGNALS_FILE_FORMS = "风险信号_表"
OVERVIEW_SIGNAL_FORMS = "有预警级风险信号的表"
OVERVIEW_SIGNAL_FORMS_VALUE = "{n} 张"
OVERVIEW_SIGNAL_FORMS_HELP = (
    "带有至少一个“预警”级风险信号的表（筛选范围内）；在“复核”页的“风险信号”中按信号和单位查看。"
)
OVERVIEW_SIGNAL_LINK = "查看风险信号"

# --- Reason classes (偏差原因分类; dashboard/reference/reason_classes.py) -------------------------------------
REASON_UNEXPLAINED = "未说明原因"  # a deduction without a reason (domain.is_unexplained): a class of its own
REASON_UNCLASSIFIED = "未分类"  # a reason no rule matches and no person classified
REASON_RULE_BAD_CLASS = "{where}：大类不能为空，不能超过 50 个字，也不能是“{reserved}”。"
REASON_RULE_BAD_SUBCLASS = "{where}：细类不能超过 50 个字。"
REASON_RULES_FILE_HEADER = (
    "# 偏差原因分类规则（绩效自评看板）。自上而下，第一条匹配的规则决定大类和细类。\n"
    "# match: keyword（任一关键词出现即匹配，用 | 分隔）| regex（正则表达式）| exact（完全相同）\n"
    "# 匹配前原因统一为半角、去空格、小写。扣了分却没写原因的指标一律为“未说明原因”，不经规则。"
)
REASON_RULES_FILE_KEYS = "{where}：只能有 class、subclass、match、pattern 四项，且都是文字。"
REF_TAB_REASONS = "偏差原因分类"
REF_REASONS_HELP = (
    "自上而下，第一条匹配的规则决定原因的大类和细类；人工指定优先于规则。扣了分却没写原因的指标为“未说明原因”。"
    "下表列出没有规则匹配的原因（未分类），可在“大类”“细类”列人工指定。"
)
REF_REASONS_SUMMARY = "共 {reasons} 条不同的原因；{unclassified} 条（{indicators} 个指标）未分类。"
REF_REASONS_COLUMNS = {
    "reason": "偏差原因",
    "reason_class": "大类",
    "reason_subclass": "细类",
    "source": "依据",
    "indicators": "指标数",
}
REF_REASONS_RULES_COLUMNS = {
    "reason_class": "大类",
    "reason_subclass": "细类",
    "match": "匹配方式",
    "pattern": "关键词或模式",
}
REF_REASONS_SAVE = "保存人工分类"
REF_REASONS_SAVED = "已保存 {count} 条原因的分类。"
REF_REASONS_DOWNLOAD = "下载原因分类规则（TOML）"
REF_REASONS_UPLOAD = "用文件替换原因分类规则（TOML）"
REF_REASONS_UPLOAD_APPLY = "替换原因分类规则"
REF_REASONS_REPLACED = "原因分类规则已替换，全部原因已重新分类。"
# 扣分指标 by 偏差原因分类, and the report's 扣分原因.
DEDUCTIONS_CLASS_CHART = "按偏差原因分类的扣分"
DEDUCTIONS_CLASS_FILTER = "偏差原因分类"
DEDUCTIONS_CLASS_HELP = "只看这些原因大类的扣分指标（点击上方按原因分类的柱也可选择）；分类规则在“参考数据”页。"
DEDUCTIONS_CLASS_COLUMN = "偏差原因分类"
DEDUCTIONS_CLASS_WITH_SUB = "{level1} › {level2}"
REPORT_REASON_CLASSES = "扣分原因（按偏差原因分类）"
REPORT_REASON_CLASSES_TEXT = "扣分指标 {indicators} 个，共扣 {points} 分。按原因大类：{parts}。"
REPORT_REASON_CLASS_PART = "{reason_class} {points} 分（{share}%）"
REPORT_REASON_COLUMNS = ["原因大类", "指标数", "扣分", "占扣分", "扣分最多的细类"]
CLI_REF_EXPORT_REASON_RULES_HELP = "把偏差原因分类规则写到 TOML 文件（不给文件则输出到屏幕）"
CLI_REF_IMPORT_REASON_RULES_HELP = "用 TOML 文件替换偏差原因分类规则，并重新分类全部原因"
CLI_REF_REASON_RULES_IMPORTED = "已导入 {count} 条偏差原因分类规则，全部原因已重新分类。"

# --- 抽查复核 (issue 20: audit/spot_check.py, outputs/spot_sheet.py, the 抽查复核 page, `spotcheck`) -----------
SPOT_SIZE_OR_SHARE = "请给出抽查表数（--size）或抽查比例（--share）二者之一。"
SPOT_SIZE_POSITIVE = "抽查表数须为正整数。"
SPOT_SHARE_RANGE = "抽查比例须大于 0、不超过 1（如 0.15 即 15%）。"
SPOT_BAD_NAME = "计划名称不能为空，也不能超过 {limit} 个字。"
SPOT_NAME_TAKEN = "已有名为“{name}”的抽查计划，请换一个名称。"
SPOT_EMPTY_SCOPE = "抽查范围内没有计入汇总的项目自评表。"
SPOT_NO_PLAN = "没有名为“{name}”的抽查计划。"
SPOT_NO_ENTRY = "抽查记录 {entry} 不存在。"
SPOT_NO_ROW = "“{project}”没有第 {rows} 行。"
SPOT_SOMEONE = "他人"
SPOT_CONFLICT = (
    "“{project}”的复核已由 {by} 于 {at} 保存，你看到的是保存前的内容；请重新打开后再录入（你的修改未保存）。"
)
SPOT_SCORE_OUT_OF_RANGE = "“{project}”的“{row}”复核得分 {score} 不在 0 到分值 {weight} 之间。"
SPOT_FUND_ROW = "年度资金总额"
SPOT_NOTE_RISK = "警告及以上发现 {findings} 条，风险信号 {signals} 个"
SPOT_NOTE_AMOUNT = "全年预算数 {budget} 元，范围内第 {rank} 大"
SPOT_NOTE_COVERAGE = "覆盖主管部门“{department}”"
SPOT_NOTE_RANDOM = "其余表中随机抽取（种子 {seed}）"
SPOT_BASIS_LABELS = {"risk": "按风险", "amount": "按金额", "coverage": "按覆盖", "random": "随机"}
SPOT_RULE_SIZE = "抽 {size} 张"
SPOT_RULE_SHARE = "抽 {share}"
SPOT_RULE_SEED = "种子 {seed}"
SPOT_RULE_POPULATION = "范围内 {count} 张"
SPOT_RULE_SCOPE = {"years": "年度", "departments": "主管部门", "types": "项目类型"}
SPOT_RULE_SEPARATOR = "；"
SPOT_RULE_ORDER = (
    "抽取顺序：先按风险（警告及以上发现和风险信号多的表，最多占样本一半），再按金额（全年预算数最大的项目，"
    "最多占四分之一），再按覆盖（范围内每个主管部门至少一张），其余按种子随机抽取。同一数据库、同样条件、同一种子抽出同样的表。"
)
SPOT_SHEET_PLAN = "计划"
SPOT_SHEET_PLAN_LABEL = "抽查计划"
SPOT_SHEET_RULE_LABEL = "抽取规则"
SPOT_SHEET_PLAN_COLUMNS = [
    "序号",
    "工作表",
    "表编号",
    "项目名称",
    "主管部门",
    "实施单位",
    "自评总分",
    "抽中理由",
    "说明",
    "版本",
]
SPOT_SHEET_REVIEW_COLUMNS = ["复核完成值", "复核得分", "复核意见", "行号"]
SPOT_SHEET_FORM_ID = "表编号"
SPOT_SHEET_REVIEWER = "复核人"
SPOT_SHEET_DATE = "复核日期"
SPOT_SHEET_CONCLUSION = "复核结论"
SPOT_SHEET_WHERE = "工作表“{sheet}”单元格 {cell}："
SPOT_SHEET_NOT_NUMBER = "复核得分应为数字"
SPOT_SHEET_ABOVE_WEIGHT = "复核得分 {score} 不在 0 到分值 {weight} 之间"
SPOT_SHEET_NOT_DATE = "复核日期应为日期（如 2026-12-04）"
SPOT_SHEET_NOT_IN_PLAN = "表编号“{form}”不在抽查计划“{plan}”中"
SPOT_SHEET_STALE = "工作表“{sheet}”：导出此工作簿后，该表的复核已由 {by} 于 {at} 保存；请重新导出后再录入"
SPOT_SHEET_UNREADABLE = "读不出这个工作簿：请上传由“导出复核工作簿”得到、在 Excel 或 WPS 中填写后保存的 .xlsx 文件。"
SPOT_SHEET_NO_PLAN_SHEET = "工作簿中没有“{sheet}”工作表：请使用由“导出复核工作簿”得到的文件。"
SPOT_SHEET_REFUSED = "工作簿有 {count} 处问题，未保存任何内容：\n{problems}"
SPOT_RESULT_COLUMNS = {
    "position": "序号", "project_name": "项目名称", "department": "主管部门", "unit": "实施单位", "basis": "抽中理由",
    "basis_note": "说明", "self_score": "自评总分", "self_grade": "自评等级", "reviewed_score": "复核总分",
    "reviewed_grade": "复核等级", "deviation": "偏离度", "grade_changed": "等级变化", "reviewer": "复核人",
    "reviewed_on": "复核日期", "conclusion": "复核结论", "saved_by": "保存人", "saved_at": "保存时间",
    "form_id": "表编号",
}  # fmt: skip
SPOT_SUMMARY_COLUMNS = {
    "unit": "实施单位", "department": "主管部门", "sampled": "抽查表数", "reviewed": "已复核", "mean_deviation": "平均偏离度",
    "marked": "偏离度≥5%的表", "grade_changes": "等级变化",
}  # fmt: skip
SPOT_PLAN_COLUMNS = {
    "name": "计划",
    "forms": "抽查表数",
    "reviewed": "已复核",
    "created_by": "创建人",
    "created_at": "创建时间",
    "rule": "规则",
}
SPOT_ROW_COLUMNS = {
    "position": "行号", "name": "指标", "weight": "分值", "self_score": "自评得分", "reviewed_actual": "复核完成值",
    "reviewed_score": "复核得分", "note": "复核意见",
}  # fmt: skip
SPOT_CHANGED_ROWS = "复核改动的行"
SPOT_FORM_GONE = "（该表所在的导入已撤销，显示的是抽查时的记录）"
CLI_SPOT_HELP = "抽查复核：建立抽查计划、导出复核工作簿、导入填好的工作簿"
CLI_SPOT_CREATE_HELP = "按风险、金额、覆盖和随机的顺序抽取自评表，建立抽查计划"
CLI_SPOT_LIST_HELP = "列出抽查计划；给出计划名称时列出其抽查的表和复核结果"
CLI_SPOT_EXPORT_HELP = "把计划的复核工作簿写到 .xlsx 文件"
CLI_SPOT_IMPORT_HELP = "读入填好的复核工作簿（有任何问题时整个工作簿不保存）"
CLI_SPOT_NAME_HELP = "抽查计划名称"
CLI_SPOT_SIZE_HELP = "抽查表数"
CLI_SPOT_SHARE_HELP = "抽查比例（如 0.15）"
CLI_SPOT_SEED_HELP = "随机种子（不给则随机生成并记入计划）"
CLI_SPOT_YEAR_HELP = "只抽这一年度（可重复）"
CLI_SPOT_DEPARTMENT_HELP = "只抽这个主管部门（可重复）"
CLI_SPOT_TYPE_HELP = "只抽这一项目类型（可重复）"
CLI_BY_HELP = "记为谁做的（默认：本机登录名）"
CLI_SPOT_WORKBOOK_HELP = "填好的复核工作簿（.xlsx）"
CLI_SPOT_CREATED = "已建立抽查计划“{name}”：抽取 {count} 张表（{rule}）。"
CLI_SPOT_EXPORTED = "已写出复核工作簿：{path}（{count} 张表）。"
CLI_SPOT_IMPORTED = "已保存抽查计划“{name}”中 {count} 张表的复核。"
CLI_SPOT_NONE = "还没有抽查计划。"

# --- 结果应用 (issue 20: audit/result_use.py, queries/cycle_queries.py) ------------------------------------------
# (grade, suggested action, factor on 全年预算数 or None): the built-in rule table.
RESULT_USE_DEFAULTS = (
    ("优", "优先保障", 1.0),
    ("良", "正常安排", 1.0),
    ("中", "压减 10%", 0.9),
    ("差", "压减 30% 或暂停", 0.7),
    ("不评级", "单独研究", None),
)
RESULT_USE_UNREADABLE = "结果应用规则文件 {file} 不存在或无法读取"
RESULT_USE_NOT_TOML = "结果应用规则文件 {file} 不是有效的 TOML 格式{where}"
RESULT_USE_BAD_KEY = "结果应用规则文件 {file} 中的 {key}：{problem}"
RESULT_USE_WANT_RULES = "应为至少一条 [[rule]]"
RESULT_USE_BAD_GRADE = "等级应为以下之一：{grades}"
RESULT_USE_GRADE_TWICE = "等级“{grade}”出现了两次"
RESULT_USE_WANT_ACTION = "应为非空的文字（建议的处理）"
RESULT_USE_BAD_FACTOR = "应为 0 到 {maximum} 之间的数（建议金额 = 全年预算数 × 此数），或省略"
RESULT_USE_MISSING_GRADES = "缺少这些等级的规则：{grades}"
RESULT_USE_TOML_HEADER = (
    "# 结果应用规则：等级（有抽查复核的按复核等级，否则按自评等级）→ 下一年预算的建议处理。\n"
    "# factor：建议金额 = 本年全年预算数 × factor；省略则不给建议金额。"
)
RESULT_USE_TITLE = "结果应用建议"
RESULT_USE_INTRO = (
    "每个项目按等级给出下一年预算的建议处理：有抽查复核的按复核等级，否则按自评等级。"
    "规则可由管理员用 TOML 文件替换（环境变量 DASHBOARD_RESULT_RULES）。"
)
RESULT_USE_RULES = "规则"
RESULT_USE_RULE_COLUMNS = {"grade": "等级", "action": "建议处理", "factor": "建议金额系数"}
RESULT_USE_COLUMNS = {
    "project_name": "项目名称", "department": "主管部门", "unit": "实施单位", "year": "年度", "budget": "全年预算数（元）",
    "grade": "等级", "grade_basis": "等级依据", "action": "建议处理", "suggested": "建议金额（元）", "form_id": "表编号",
}  # fmt: skip
RESULT_USE_BASIS_REVIEW = "复核"
RESULT_USE_BASIS_SELF = "自评"
RESULT_USE_DOWNLOAD = "下载结果应用建议"
RESULT_USE_DOWNLOAD_RULES = "下载规则（TOML）"
RESULT_USE_SUMMARY = "{forms} 个项目：{parts}。"
RESULT_USE_SUMMARY_PART = "{action} {count} 个"

# --- 整改 (issue 20: audit/rectify.py, the 整改 page, `rectify`) ---------------------------------------------
RECTIFY_STATUS_LABELS = {"open": "待整改", "answered": "已反馈", "verified": "已核验", "returned": "退回"}
RECTIFY_ACTION_LABELS = {"add": "登记", "feedback": "反馈", "verify": "核验通过", "return": "退回"}
RECTIFY_SOURCE_LABELS = {"finding": "复核发现", "signal": "风险信号", "spot_check": "抽查复核", "manual": "手工登记"}
RECTIFY_PROBLEM = "问题"
RECTIFY_UNIT = "责任单位"
RECTIFY_TEXT = "说明"
RECTIFY_WANT_TEXT = "请填写{what}。"
RECTIFY_TOO_LONG = "{what}不能超过 {limit} 个字。"
RECTIFY_NO_FORM = "没有编号为 {form} 的表。"
RECTIFY_NO_ITEM = "没有编号为 {item} 的整改事项。"
RECTIFY_NO_FOLDER = "没有保存附件的位置。"
RECTIFY_CONFLICT = "整改事项 {item} 已由 {by} 于 {at} 更新，你看到的是更新前的状态；请刷新后再操作（你的操作未保存）。"
RECTIFY_BAD_STEP = "整改事项 {item} 的状态是“{status}”，不能“{action}”。"
RECTIFY_ATTACHMENT_TOO_BIG = "附件不能超过 {limit} MB。"
RECTIFY_FROM_SPOT = "抽查复核“{plan}”：自评 {own} 分，复核 {reviewed} 分，偏离度 {deviation}。{conclusion}"
RECTIFY_TITLE = "整改"
RECTIFY_INTRO = (
    "抽查复核、复核发现和风险信号发现的问题，登记为整改事项，跟踪到核验为止：待整改 → 已反馈 → 已核验（或退回后再反馈）。"
    "每一步记下谁、何时、说明和附件。"
)
RECTIFY_COLUMNS = {
    "item_id": "编号", "status": "状态", "unit": "责任单位", "project_name": "项目名称", "problem": "问题", "due": "整改期限",
    "overdue": "已逾期", "source": "来源", "source_ref": "来源说明", "created_by": "登记人", "created_at": "登记时间",
    "updated_by": "最后操作人", "updated_at": "最后操作时间", "form_id": "表编号",
}  # fmt: skip
RECTIFY_HISTORY_COLUMNS = {
    "seq": "序号", "acted_at": "时间", "actor": "操作人", "action": "操作", "status": "操作后状态", "text": "说明",
    "attachment_name": "附件",
}  # fmt: skip
RECTIFY_FILTER_STATUS = "状态"
RECTIFY_FILTER_UNIT = "责任单位"
RECTIFY_FILTER_OVERDUE = "只看已逾期"
RECTIFY_NONE = "还没有整改事项。"
RECTIFY_PICK = "选择一个事项查看经过并操作"
RECTIFY_ADD = "登记整改事项"
RECTIFY_ADD_FORM = "所涉及的表（可不选：问题针对整个单位）"
RECTIFY_ADD_NO_FORM = "（不针对某张表）"
RECTIFY_ADD_DUE = "整改期限"
RECTIFY_ADD_SUBMIT = "登记"
RECTIFY_ADDED = "已登记整改事项 {item}。"
RECTIFY_FROM_PLAN = "从抽查复核结果生成整改事项"
RECTIFY_FROM_PLAN_HELP = "为所选计划中偏离度≥5% 或等级变化、尚未登记的表各登记一个事项。"
RECTIFY_FROM_PLAN_SUBMIT = "生成"
RECTIFY_FROM_PLAN_DONE = "已从抽查计划登记 {count} 个整改事项。"
RECTIFY_STEP_TEXT = "说明（反馈、核验意见或退回原因）"
RECTIFY_STEP_ATTACHMENT = "附件（可选）"
RECTIFY_STEP_DONE = "整改事项 {item} 已{action}。"
RECTIFY_DOWNLOAD = "下载整改台账"
RECTIFY_SIGNIN = "登录“导入”或“管理”角色后可以登记和处理整改事项。"
RECTIFY_ATTACHMENT_GET = "下载附件：{name}"
OVERVIEW_RECTIFY = "整改：未核验 {open} 项，其中已逾期 {overdue} 项。"
REPORT_SPOT_CHECK = "抽查复核"
REPORT_SPOT_NONE = "尚无抽查复核结果。"
REPORT_SPOT_PLAN = "抽查计划“{name}”：抽查 {forms} 张，已复核 {reviewed} 张；{rule}。"
REPORT_RESULT_USE = "结果应用建议"
REPORT_RECTIFY = "整改情况"
REPORT_RECTIFY_TEXT = "整改事项共 {total} 项：{parts}；已逾期 {overdue} 项。"
CLI_RECTIFY_HELP = "整改台账：列出、登记、反馈、核验"
CLI_RECTIFY_LIST_HELP = "列出整改事项"
CLI_RECTIFY_ADD_HELP = "登记一个整改事项（针对一张表或一个单位）"
CLI_RECTIFY_FEEDBACK_HELP = "记录责任单位的整改反馈（可附文件）"
CLI_RECTIFY_VERIFY_HELP = "核验一个已反馈的事项：通过，或 --return 退回"
CLI_RECTIFY_ITEM_HELP = "整改事项编号"
CLI_RECTIFY_PROBLEM_HELP = "问题描述"
CLI_RECTIFY_FORM_HELP = "表编号（导出 JSON 的 id）"
CLI_RECTIFY_UNIT_HELP = "责任单位（不给则取表的实施单位或主管部门）"
CLI_RECTIFY_DUE_HELP = "整改期限（YYYY-MM-DD）"
CLI_RECTIFY_TEXT_HELP = "说明"
CLI_RECTIFY_ATTACHMENT_HELP = "附件文件"
CLI_RECTIFY_RETURN_HELP = "退回（不通过）"
CLI_RECTIFY_STATUS_HELP = "只列这个状态"
CLI_RECTIFY_OVERDUE_HELP = "只列已逾期的"
CLI_RECTIFY_FROM_PLAN_HELP = "为抽查计划中偏离度≥5% 或等级变化的表各登记一个事项"
CLI_RECTIFY_ADDED = "已登记整改事项 {item}。"
CLI_RECTIFY_STEPPED = "整改事项 {item}：{status}。"
CLI_RECTIFY_NONE = "没有整改事项。"
CLI_RECTIFY_BAD_DATE = "日期应写作 YYYY-MM-DD：{value}"
RECTIFY_OVERDUE_MARK = "逾期"
REPORT_RESULT_USE_BUDGET = "全年预算数（{unit}）"
REPORT_RESULT_USE_SUGGESTED = "建议金额（{unit}）"
# The 抽查复核 page and the 整改 page.
PAGE_SPOT_CHECK = "抽查复核"
PAGE_RECTIFY = "整改"
SPOT_PAGE_TITLE = "抽查复核"
SPOT_EDIT_SIGNIN = "登录“导入”或“管理”角色后可以建立抽查计划、录入和导入复核结果。"
SPOT_TAB_PLANS = "抽查计划与结果"
SPOT_TAB_REVIEW = "在页面上录入复核"
SPOT_NO_PLANS = "还没有抽查计划。"
SPOT_NEW_PLAN = "新建抽查计划"
SPOT_NEW_NAME = "计划名称"
SPOT_NEW_HOW = "抽多少"
SPOT_NEW_HOW_OPTIONS = ["按张数", "按比例"]
SPOT_NEW_SIZE = "张数"
SPOT_NEW_SHARE = "比例（%）"
SPOT_NEW_SEED = "随机种子（0：自动生成并记入计划）"
SPOT_NEW_SUBMIT = "抽取并建立计划"
SPOT_PLAN_CREATED = "已建立抽查计划“{name}”。"
SPOT_PICK_PLAN = "抽查计划"
SPOT_RESULTS = "抽查的表与复核结果"
SPOT_BY_DEPARTMENT = "按主管部门"
SPOT_BY_UNIT = "按实施单位"
SPOT_YES = "是"
SPOT_WORKBOOK = "复核工作簿"
SPOT_WORKBOOK_HELP = (
    "下载工作簿，在 Excel 或 WPS 中填写每个指标行右侧的复核完成值、复核得分、复核意见（复核得分留空即沿用自评得分），"
    "以及表下方的复核人、复核日期、复核结论，保存后上传。工作簿有任何问题时整个不保存，并指出工作表和单元格。"
)
SPOT_WORKBOOK_DOWNLOAD = "导出复核工作簿"
SPOT_WORKBOOK_UPLOAD = "上传填好的复核工作簿（.xlsx）"
SPOT_WORKBOOK_IMPORT = "读入工作簿"
SPOT_WORKBOOK_IMPORTED = "复核工作簿已读入。"
SPOT_PICK_FORM = "抽查的表"
SPOT_REVIEW_STATE = (
    "自评总分 {self_score}；复核总分 {reviewed}（{grade}）；偏离度 {deviation}；最后保存人 {by}；已保存 {version} 次"
)
SPOT_REVIEW_SAVE = "保存这张表的复核"
SPOT_REVIEW_SAVED = "复核已保存。"
RESULT_USE_FILTERS = "表中项目按侧栏筛选：{filters}"
OVERVIEW_RECTIFY_OPEN = "整改未核验"
OVERVIEW_RECTIFY_OVERDUE = "整改已逾期"
OVERVIEW_RECTIFY_HELP = "整改台账中尚未核验的事项，以及其中已过整改期限的事项（不受侧栏筛选影响）。"
OVERVIEW_RECTIFY_LINK = "打开整改台账"
RECTIFY_STEP_ACTION = "操作"
RECTIFY_STEP_SUBMIT = "提交"
REPORT_RECTIFY_PART = "{status} {count} 项"
SPOT_SHEET_TOO_BIG = "工作簿过大（解压后超过 {limit} MB），不是由“导出复核工作簿”得到的文件。"
RECTIFY_NO_FINDING = "表 {form} 没有规则 {rule} 的发现。"
RECTIFY_MORE = "另有 {count} 条"
RECTIFY_FROM_FINDING = "{title}：{messages}"
CLI_RECTIFY_RULE_HELP = "按这张表（--form）该规则的复核发现或风险信号登记（规则编号，如 missing_reason）"
CLI_RECTIFY_RULE_NEEDS_FORM = "--rule 须与 --form 一起给出。"
RECTIFY_FROM_RULE = "从复核发现或风险信号登记"
RECTIFY_FROM_RULE_HELP = "填表编号，选规则：该表这条规则的发现写成问题；来源记为复核发现或风险信号。"
RECTIFY_RULE = "规则"
SPOT_SHEET_TWICE = "表编号“{form}”已在工作表“{sheet}”中出现"
