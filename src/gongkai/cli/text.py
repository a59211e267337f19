"""Chinese for argparse's own messages (usage, help headings, argument errors), so that a
mistyped command gets the same language as the rest of the tool.  argparse looks its
strings up through the module-level ``_``/``ngettext`` at call time; :func:`install`
points them at this table (unknown strings pass through unchanged)."""
from __future__ import annotations

import argparse

ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "subcommands": "子命令",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n（用 %(prog)s -h 查看用法）\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "需要以下参数之一：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid %(type)s value: %(value)r": "值无效（应为 %(type)s）：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "expected at most one argument": "至多一个值",
    "expected at least one argument": "至少需要一个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的值 %r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的子命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s'：%(error)s",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
}
# argparse prints the name of a type function: say what kind of value it wanted.
TYPE_NAMES = {"int": "整数", "float": "数字"}


def _(message: str) -> str:
    return ZH.get(message, message)


def _n(singular: str, plural: str, n: int) -> str:
    return ZH.get(singular if n == 1 else plural, singular if n == 1 else plural)




def install() -> None:
    """Route argparse's strings through :data:`ZH` (idempotent; affects this process)."""
    argparse._ = _
    argparse.ngettext = _n
    if not getattr(argparse.ArgumentParser._get_value, "_gongkai", False):
        orig = argparse.ArgumentParser._get_value

        def _get_value(self, action, arg_string):
            try:
                return orig(self, action, arg_string)
            except argparse.ArgumentError as e:
                name = getattr(action.type, "__name__", "")
                if name in TYPE_NAMES and e.message:
                    e.message = e.message.replace(f"（应为 {name}）", f"（应为{TYPE_NAMES[name]}）")
                raise
        _get_value._gongkai = True
        argparse.ArgumentParser._get_value = _get_value
