"""The conversations a user can be in, one module each, behind one router (router.Dialog).

- router: role, stored step, global commands, the safety check, dispatch;
- safety: safety messages by kind, crisis cases with the worker's words, the one-tap check;
- questions: free-text answers, the FAQ menu, feedback, /law;
- intake: 我要求助, one question at a time;
- nearby: 附近援助站;
- my_cases: 我的案件, writing to staff, follow-ups that reach the open case;
- privacy: 隐私说明, export and deletion requests.
Staff commands are bot/staff_commands.py.
"""

from bot.conversations.router import Dialog

__all__ = ["Dialog"]
