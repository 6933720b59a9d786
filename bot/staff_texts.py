"""What duty staff and admins read (simplified Chinese)."""

from __future__ import annotations

OUTCOMES = {
    "consult": "咨询解答",
    "mediated": "调解成功",
    "to_arbitration": "调解不成转仲裁",
    "arbitration": "申请仲裁",
    "litigation": "诉讼",
    "referral": "转介",
    "withdrawn": "撤回",
}
STATUS = {"queued": "待认领", "claimed": "处理中", "closed": "已办结"}
CLAIM = "认领"
HISTORY = "详情"
REPLY = "回复"
NOTE = "备注"
TRANSFER = "转交"
RELEASE = "释放"
CLOSE = "办结"
REPLY_PROMPT = "请输入要发给案件 {number} 求助人的回复（一次一条；发「取消」不发了）："
NOTE_PROMPT = "请输入案件 {number} 的内部备注（求助人看不到；发「取消」不记了）："
TRANSFER_PROMPT = "把案件 {number} 转交给哪个站点？"
CLOSE_PROMPT = "案件 {number} 的处理结果是？"
S_EVIDENCE = "案件 {number} 的第{n}份证据材料"
EVIDENCE_SENT = "已把第{n}份材料发给您。"
YOU_ARE_STAFF = (
    "您已被授权为「{station}」的值班工作人员。新案件会私信发给您（/duty off 暂停）。"
    "发 /staff 查看工作人员命令，/queue 看待认领的案件。"
)
RELEASED_ON_REVOKE = "负责人的权限已取消，退回队列"
DUTY_STATE = "您的值班状态：\n{lines}\n（/duty on 上班，/duty off 下班）"
DUTY_NONE = "您还不是任何援助站的工作人员。"
WHOAMI = "您的用户ID：{id}\n角色：{role}\n站点：{stations}"
ROLE_NAMES = {"worker": "职工", "staff": "援助站工作人员", "admin": "管理员"}
QUEUE_COUNTS = "待认领 {queued} 件，处理中 {claimed} 件。"
QUEUE_FILTERS = (("queued", "待认领"), ("mine", "我的"), ("all", "全部"))
FILTER_WORDS = {"待认领": "queued", "queued": "queued", "我的": "mine", "mine": "mine",
                "全部": "all", "all": "all"}  # fmt: skip
NOT_STAFF = "无权限：只有援助站工作人员可以这样做。"
NOT_ADMIN = "无权限：只有管理员可以这样做。"
NOT_YOUR_CASE = "无权限：这个案件不属于您的援助站。"
ALREADY_CLAIMED = "已被认领"
CLAIMED_OK = "认领成功：案件 {number} 由您负责。用 /reply {id} 内容 回复当事人。"
NOT_FOUND = "没有这个案件。"
NOT_OWNER = "这个案件不由您负责（需要先认领）。"
CLOSED_ALREADY = "案件已办结。"
USAGE = {
    "claim": "用法：/claim 案件号",
    "reply": "用法：/reply 案件号 回复内容（或直接回复案件卡片）",
    "note": "用法：/note 案件号 内部备注（当事人看不到）",
    "transfer": "用法：/transfer 案件号 站点代码 原因",
    "release": "用法：/release 案件号",
    "close": "用法：/close 案件号 结果 说明；结果：" + "、".join(OUTCOMES.values()),
    "case": "用法：/case 案件号",
    "link_station": "用法：在援助站的工作群里发 /link_station 站点代码",
    "grant_staff": "用法：/grant_staff 用户ID 站点代码",
    "revoke_staff": "用法：/revoke_staff 用户ID [站点代码]",
    "use": "用法：/use 案件号 模板名（/canned 查看模板）",
    "setcanned": "用法：/setcanned 模板名 内容",
    "route": "用法：/route 案件号 一般咨询|需要人工|紧急|非劳动 [类别：工资、合同/辞退、工伤/职业病、社保、工时休假、其他]",
}
QUEUE_EMPTY = "没有待处理的案件。"
QUEUE_HEAD = "待处理案件（待认领在前，紧急在前，其次按时间）："
MINE_EMPTY = "您手上没有处理中的案件。"
MINE_HEAD = "我负责的案件："
SENT = "已发送给当事人。"
NOTED = "已记下内部备注。"
RELEASED = "已退回队列。"
TRANSFERRED = "已转交给 {station}。"
UNKNOWN_STATION = "没有这个站点代码：{code}"
CLOSED_OK = "已办结：{outcome}。"
LINKED = "本群已绑定为「{station}」的值班群，新案件卡片会发到这里。"
GRANTED = "已授权用户 {user} 为「{station}」的工作人员。"
CORRECTED = "已更正；这条求助的原话会作为训练样本（不含身份信息），下次训练时学习。"
REVOKED = "已取消用户 {user} 的 {count} 个站点权限。"
DUTY_ON = "您已上班：新案件会私信通知您。"
DUTY_OFF = "您已下班：不再私信新案件（群里仍可看到）。"
CANNED_HEAD = "回复模板（/use 案件号 模板名）："
CANNED_SAVED = "模板「{key}」已保存。"
UNKNOWN_CANNED = "没有这个模板：{key}"
STAFF_HELP = (
    "工作人员命令：\n/queue 待处理案件　/mine 我负责的\n/claim 号 认领　/reply 号 内容 回复当事人\n"
    "/note 号 内容 内部备注　/use 号 模板 发送模板\n/transfer 号 站点 原因 转交　/release 号 退回队列\n"
    "/close 号 结果 说明 办结　/case 号 查看全部详情\n/duty 值班状态（on|off 上下班）"
    "　/canned 模板列表　/whoami 我的ID\n/route 号 类型 [类别] 更正案件的类型和类别\n案件号写编号（SZ-2026-000002）或数字都可以。卡片下的按钮也能完成这些操作。\n"
    "管理员：/grant_staff 用户 站点　/revoke_staff 用户 [站点]　/setcanned 名 内容\n"
    "群里：/link_station 站点代码"
)
DEFAULT_CANNED = {
    "evidence": "请准备好这些材料：身份证、劳动合同或工牌工服照片、工资条或银行流水、考勤记录、"
    "和老板的聊天记录截图，有欠条的带上欠条原件。",
    "address": "我们的地址：{address}；电话：{phone}；办公时间：{hours}。来之前可以先打电话。",
    "hotline": "如有紧急情况，可拨打 12351 职工维权热线。",
}

# To the worker -------------------------------------------------------------------------

W_CLAIMED = "您的案件 {number} 已由「{station}」的值班工作人员认领，会通过这里联系您。"
W_FROM_STAFF = "【{station}工作人员】\n{text}"
W_REPLY_BUTTON = "回复工作人员"
W_TRANSFERRED = "您的案件 {number} 已转交「{station}」处理{reason}，那里的工作人员会联系您。"
W_RELEASED = "您的案件 {number} 正在重新安排工作人员，请稍候。"
W_CLOSED = (
    "您的案件 {number} 已办结：{outcome}。{note}\n"
    "30天内如有需要，可以点「重新打开」。请给这次服务打个分（1分最差，5分最好）："
)
W_REOPEN = "重新打开"
W_REOPENED = "案件 {number} 已重新打开，工作人员会再联系您。"
W_REOPEN_EXPIRED = "办结已超过30天，不能重新打开了。如有新的情况，请点「我要求助」重新提交。"
W_RATED = "谢谢您的评价！"
W_WRITE_PROMPT = (
    "请输入要发给工作人员的内容，也可以直接发照片、文件或语音作为补充材料（一次一条）："
)
W_SENT_TO_STAFF = "已转给负责的工作人员。"
W_WAITING_STAFF = "已记录在案件里，工作人员认领后会看到。"
W_NOT_YOURS = "这个案件不是您的。"

# To staff about a case -------------------------------------------------------------------

S_FROM_WORKER = "案件 {number} 当事人来信：\n{text}\n（回复：/reply {id} 内容，或直接回复本消息）"
ESCALATED = "【超时升级】案件 {number}（{station}）{why}，已超过时限，请上级中心协调处理。"
ESC_UNCLAIMED = "无人认领"
ESC_NO_REPLY = "认领后未回复当事人"

FILE_KINDS = {
    "photo": "照片",
    "document": "文件",
    "voice": "语音",
    "audio": "录音",
    "video": "视频",
    "video_note": "视频消息",
}
S_FILE_FROM_WORKER = "案件 {number} 的求助人发来{label}。{caption}"
