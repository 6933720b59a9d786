"""What admins read when they keep the FAQ and look at the figures (simplified Chinese)."""

from __future__ import annotations

HELP = (
    "知识库管理：\n/faq 关键词 或 条目ID：查找并打开条目，逐项修改（先预览再保存）\n"
    "/faq_new：新建条目　/faq_history 条目ID：历史版本和回滚\n"
    "/unanswered：机器人没答好的问题（相似的合在一起）\n/stats [day|week|month|quarter|year]：统计和图表\n"
    "/digest：今天的预警摘要（每天定时发给管理员）\n/roster：各站点工作人员和值班情况　/audit：最近的操作记录"
)
NOTHING_FOUND = "没有找到相关条目。可以换个关键词，或用 /faq_new 新建。"
FOUND = "找到 {count} 个条目，点一个打开："
NO_ENTRY = "没有这个条目（可能已停用）。"
HISTORY = "历史版本"
RETIRE = "停用"
RETIRE_ASK = "确定停用条目 {id} 吗？停用后机器人不再用它回答（可以从历史版本恢复）。"
RETIRE_YES = "确定停用"
RETIRED = "已停用 {id}，所有实例几秒内生效。"
CANCEL = "取消"
SAVE = "确认保存"
DROPPED = "已取消，没有保存。"
EDIT_PROMPT = "请发送新的「{field}」。现在是：\n{current}"
PREVIEW_HEAD = "预览（还没保存）："
SAVED = "已保存 {id}（第{version}版），所有实例几秒内生效。"
CREATED = "已新建 {id}，所有实例几秒内生效；下次训练（make models）后学习模型也会认识它。"
ROLLED_BACK = "已把 {id} 恢复为第{to}版的内容（保存为第{version}版）。"
HISTORY_HEAD = "{id} 的版本（最新在前）："
NEW_ASK = {
    "id": "新条目的ID（小写字母、数字、连字符，例如 heat-allowance）：",
    "category": "分类（例如 工资报酬、劳动合同）：",
    "title": "标题（按钮上显示的短标题）：",
    "question": "典型问题（职工会怎么问）：",
    "answer": "回答（用自己的话写，短而具体）：",
    "citations": "依据，每行一条，例如：\n劳动合同法 82\n劳动争议调解仲裁法 27",
}
UNANSWERED_NONE = "没有待处理的未答问题。"
UNANSWERED_HEAD = "机器人没答好的问题，共 {count} 组（相似的合在一起，多的在前）："
UNANSWERED_GROUP = "{count} 次｜{route}｜最接近：{best}\n例：{sample}"
ROUTES = {
    "self_help": "一般咨询",
    "legal_aid": "需要人工",
    "urgent": "紧急",
    "out_of_scope": "非劳动",
}
ADD_AS_ALTERNATE = "加为最接近条目的问法"
DISMISS = "忽略这一组"
DISMISSED = "已忽略这一组（{count} 条），不会再出现。"
ADDED_ALTERNATE = "已把这句加为 {id} 的问法（第{version}版）；这一组 {count} 条已处理。"
LABELLED = "已把这一组 {count} 条标为「{route}」，下次训练（make models / kb train）时学习。"
CHART = "每周受理案件（按类型、按站点）"
ERASED = "已删除用户 {user} 的个人信息（{count} 个案件已匿名化），并已通知当事人。"
ROSTER_HEAD = "各站点工作人员（值班的会收到新案件私信）："
ROSTER_NONE = "还没有授权任何工作人员（/grant_staff 用户ID 站点）。"
AUDIT_HEAD = "最近的操作记录（时间｜操作人｜操作｜对象）："
