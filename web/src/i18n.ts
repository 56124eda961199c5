/**
 * UI strings in English and Simplified Chinese. The language follows the browser
 * (navigator.languages) until the user picks one, which is remembered. Parameters are
 * substituted as plain text ({name}); the result is always set with textContent.
 */
import { loadLocale, saveLocale, type LocalePref } from './prefs.js';

const en = {
  'app.name': 'Rampart',
  'app.tagline': 'Team chat that passes the security review.',
  'skip.composer': 'Skip to message box',

  'login.title': 'Sign in',
  'register.title': 'Create an account',
  'login.username': 'Username',
  'login.usernameHint': '3–32 letters, digits or _',
  'login.password': 'Password',
  'login.passwordHint': 'At least 8 characters',
  'login.submit': 'Sign in',
  'register.submit': 'Create account',
  'login.toRegister': 'New here?',
  'login.toRegisterButton': 'Create an account',
  'register.toLogin': 'Already have an account?',
  'register.toLoginButton': 'Sign in',
  'login.busy': 'Signing in…',
  'register.busy': 'Creating your account…',
  'login.failed': 'Wrong username or password.',
  'login.throttled': 'Too many attempts. Try again in {s} s.',
  'register.taken': 'That username is taken.',
  'register.closed': 'Registration is closed on this server. Ask an operator for an account.',
  'register.invalid': 'Username must be 3–32 letters, digits or _, and the password 8–1024 characters.',
  'register.throttled': 'Too many new accounts from this address. Try again in {s} s.',
  'login.network': 'Cannot reach the server. Check that it is running, then try again.',
  'login.origin': 'The server refused this page’s origin. Open Rampart at the address the server announces.',
  'login.unexpected': 'Something went wrong ({code}). Try again.',
  'login.noCookie': 'Signed in, but the browser kept no session cookie. Allow cookies for this site and try again.',
  'login.reason.4001': 'Your session ended (signed out or expired). Sign in again.',
  'login.reason.4002': 'This account has been banned by an operator.',
  'login.reason.other': 'You were signed out (code {code}). Sign in again.',
  'security.title': 'How Rampart protects you',
  'security.cookie.title': 'Your session is an HttpOnly cookie',
  'security.cookie.body': 'Scripts on this page cannot read it, so a bug cannot leak it.',
  'security.csp.title': 'Strict Content-Security-Policy',
  'security.csp.body': 'No inline scripts, no third-party code, fonts or trackers.',
  'security.text.title': 'Messages are text, never markup',
  'security.text.body': 'HTML and links are shown as typed; nothing is run or fetched.',
  'security.defaults.title': 'Every defence on by default',
  'security.defaults.body': 'Origin checks, rate and size limits, resumable delivery.',

  'status.connecting': 'Connecting…',
  'status.open': 'Connected',
  'status.waiting': 'Reconnecting in {s} s',
  'status.offline': 'Offline',
  'status.offlineHint': 'Messages you write are sent when the network is back.',
  'status.stopped': 'Disconnected ({code})',
  'status.closed': 'Disconnected',
  'status.retry': 'Retry now',
  'status.reconnect': 'Reconnect',

  'top.menu': 'Rooms',
  'top.signedInAs': 'Signed in as {name}',
  'top.logout': 'Sign out',
  'top.shortcuts': 'Keyboard shortcuts',
  'top.language': 'Language',
  'top.theme': 'Theme',
  'theme.system': 'System',
  'theme.light': 'Light',
  'theme.dark': 'Dark',

  'rooms.heading': 'Your rooms',
  'rooms.none': 'No rooms open. Join one below.',
  'rooms.browse': 'Browse',
  'rooms.browseNone': 'No other rooms yet.',
  'rooms.new': 'New room',
  'rooms.unread': '{n} unread',
  'rooms.private': 'Private',
  'rooms.public': 'Public',
  'rooms.membersOne': '{n} member',
  'rooms.membersOther': '{n} members',
  'rooms.joinLabel': 'Join a room by name',
  'rooms.joinPlaceholder': 'room-name',
  'rooms.joinButton': 'Join',
  'rooms.unavailable': 'unavailable',

  'room.leave': 'Leave',
  'room.leaveLabel': 'Leave #{room}',
  'room.manage': 'Manage',
  'room.manageLabel': 'Manage #{room}: invite, kick, ban',
  'room.people': 'People',
  'room.hereOne': '{n} here',
  'room.hereOther': '{n} here',
  'room.empty': 'Open a room from the list to start chatting.',
  'room.messagesLabel': 'Messages in #{room}',
  'room.loadingOlder': 'Loading earlier messages…',
  'room.loadOlder': 'Load earlier messages',
  'room.beginning': 'This is the beginning of #{room}.',
  'room.jumpToNew': 'New messages',
  'room.today': 'Today',
  'room.yesterday': 'Yesterday',
  'room.unavailable': 'You cannot read #{room}: it does not exist or you are not a member.',

  'msg.you': 'You',
  'msg.sending': 'Sending…',
  'msg.queued': 'Waiting for connection',
  'msg.failed': 'Not sent: {reason}',
  'msg.retry': 'Retry',
  'msg.discard': 'Discard',

  'composer.label': 'Message #{room}',
  'composer.placeholder': 'Message #{room}',
  'composer.send': 'Send',
  'composer.hint': 'Enter to send · Shift+Enter for a new line',
  'composer.tooLong': 'Too long: {n} / {max} characters.',
  'composer.count': '{n} / {max}',
  'composer.rateLimited': 'You are sending too fast. You can send again in {s} s.',
  'composer.offline': 'Offline: messages are queued and sent when you reconnect.',

  'typing.one': '{a} is typing…',
  'typing.two': '{a} and {b} are typing…',
  'typing.many': 'Several people are typing…',

  'members.heading': 'Here now',
  'members.you': '(you)',
  'members.none': 'Nobody else is here right now.',
  'members.close': 'Close people list',

  'dialog.cancel': 'Cancel',
  'dialog.close': 'Close',
  'create.title': 'Create a room',
  'create.name': 'Room name',
  'create.nameHint': 'Lower-case letters, digits, - and _ (up to 64).',
  'create.visibility': 'Who can join',
  'create.public': 'Public',
  'create.publicHint': 'Anyone on this server can find and join it.',
  'create.private': 'Private',
  'create.privateHint': 'Only people you invite can join.',
  'create.submit': 'Create room',
  'manage.title': 'Manage #{room}',
  'manage.note': 'Only the room’s owner or a server admin can do this; the server checks.',
  'manage.user': 'Username',
  'manage.invite': 'Invite',
  'manage.kick': 'Kick',
  'manage.ban': 'Ban',
  'manage.inviteHint': 'Invite adds them to a private room. Kick removes them (they may rejoin a public room). Ban removes them for good.',
  'shortcuts.title': 'Keyboard shortcuts',
  'shortcuts.send': 'Send the message',
  'shortcuts.newline': 'New line in the message',
  'shortcuts.prevNext': 'Previous / next room',
  'shortcuts.jump': 'Join or jump to a room',
  'shortcuts.focus': 'Back to the message box',
  'shortcuts.scroll': 'Scroll messages (from the message box too)',
  'shortcuts.help': 'Show this list',

  'moderation.done.invite': '{user} was invited to #{room}.',
  'moderation.done.kick': '{user} was removed from #{room}.',
  'moderation.done.ban': '{user} was banned from #{room}.',
  'moderation.youWereKicked': 'You were removed from #{room}.',
  'moderation.youWereBanned': 'You were banned from #{room}.',

  'error.BAD_REQUEST': 'The server did not accept that request.',
  'error.UNKNOWN_TYPE': 'The server did not understand that request.',
  'error.NOT_FOUND': 'No such room or user.',
  'error.FORBIDDEN': 'You are not allowed to do that.',
  'error.CONFLICT': 'A room called #{room} already exists.',
  'error.RATE_LIMITED': 'Too many requests. You can try again in {s} s.',
  'error.TOO_LARGE': 'That is too large.',
  'error.INTERNAL': 'The server had a problem. Try again.',
  'error.UNAVAILABLE': 'The server is busy. Try again in a moment.',
  'error.DISCONNECTED': 'Not connected. Try again when the connection is back.',
  'error.TIMEOUT': 'The server did not answer in time.',
  'error.roomName': 'Room names are 1–64 lower-case letters, digits, - or _, starting with a letter or digit.',
  'error.roomMissing': 'Room #{room} does not exist.',
  'error.roomForbidden': 'You cannot join #{room}: it is private or you are banned.',
  'error.tooManyRooms': 'Too many rooms open. Leave one to open #{room}.',
  'reason.TOO_LARGE': 'too long',
  'reason.FORBIDDEN': 'not allowed in this room',
  'reason.BAD_REQUEST': 'refused by the server',
  'reason.other': 'refused ({code})',
} as const;

export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, string> = {
  'app.name': 'Rampart',
  'app.tagline': '经得起安全审查的团队聊天。',
  'skip.composer': '跳到消息输入框',

  'login.title': '登录',
  'register.title': '创建账号',
  'login.username': '用户名',
  'login.usernameHint': '3–32 个字母、数字或 _',
  'login.password': '密码',
  'login.passwordHint': '至少 8 个字符',
  'login.submit': '登录',
  'register.submit': '创建账号',
  'login.toRegister': '第一次使用？',
  'login.toRegisterButton': '创建账号',
  'register.toLogin': '已经有账号？',
  'register.toLoginButton': '登录',
  'login.busy': '正在登录…',
  'register.busy': '正在创建账号…',
  'login.failed': '用户名或密码错误。',
  'login.throttled': '尝试次数过多，请 {s} 秒后再试。',
  'register.taken': '该用户名已被占用。',
  'register.closed': '此服务器已关闭注册，请联系管理员开通账号。',
  'register.invalid': '用户名须为 3–32 个字母、数字或 _，密码须为 8–1024 个字符。',
  'register.throttled': '此地址注册的账号过多，请 {s} 秒后再试。',
  'login.network': '无法连接服务器。请确认服务器正在运行，然后重试。',
  'login.origin': '服务器拒绝了此页面的来源。请使用服务器公布的地址打开 Rampart。',
  'login.unexpected': '出错了（{code}），请重试。',
  'login.noCookie': '已登录，但浏览器没有保存会话 Cookie。请允许此站点使用 Cookie 后重试。',
  'login.reason.4001': '会话已结束（已退出或已过期），请重新登录。',
  'login.reason.4002': '此账号已被管理员封禁。',
  'login.reason.other': '你已被登出（代码 {code}），请重新登录。',
  'security.title': 'Rampart 如何保护你',
  'security.cookie.title': '会话保存在 HttpOnly Cookie 中',
  'security.cookie.body': '页面上的脚本无法读取它，程序缺陷也无法泄露它。',
  'security.csp.title': '严格的内容安全策略（CSP）',
  'security.csp.body': '没有内联脚本，没有第三方代码、字体或跟踪器。',
  'security.text.title': '消息只是文本，绝不是标记',
  'security.text.body': 'HTML 和链接按原样显示，不会被执行或自动加载。',
  'security.defaults.title': '所有防护默认开启',
  'security.defaults.body': '来源校验、频率与大小限制、可续传的消息投递。',

  'status.connecting': '正在连接…',
  'status.open': '已连接',
  'status.waiting': '{s} 秒后重新连接',
  'status.offline': '离线',
  'status.offlineHint': '你写的消息会在网络恢复后发送。',
  'status.stopped': '已断开（{code}）',
  'status.closed': '已断开',
  'status.retry': '立即重试',
  'status.reconnect': '重新连接',

  'top.menu': '房间',
  'top.signedInAs': '当前用户：{name}',
  'top.logout': '退出登录',
  'top.shortcuts': '键盘快捷键',
  'top.language': '语言',
  'top.theme': '主题',
  'theme.system': '跟随系统',
  'theme.light': '浅色',
  'theme.dark': '深色',

  'rooms.heading': '我的房间',
  'rooms.none': '还没有打开的房间，请在下方加入。',
  'rooms.browse': '浏览',
  'rooms.browseNone': '暂无其他房间。',
  'rooms.new': '新建房间',
  'rooms.unread': '{n} 条未读',
  'rooms.private': '私密',
  'rooms.public': '公开',
  'rooms.membersOne': '{n} 名成员',
  'rooms.membersOther': '{n} 名成员',
  'rooms.joinLabel': '按名称加入房间',
  'rooms.joinPlaceholder': 'room-name',
  'rooms.joinButton': '加入',
  'rooms.unavailable': '不可用',

  'room.leave': '离开',
  'room.leaveLabel': '离开 #{room}',
  'room.manage': '管理',
  'room.manageLabel': '管理 #{room}：邀请、移出、封禁',
  'room.people': '成员',
  'room.hereOne': '{n} 人在线',
  'room.hereOther': '{n} 人在线',
  'room.empty': '从列表中打开一个房间开始聊天。',
  'room.messagesLabel': '#{room} 中的消息',
  'room.loadingOlder': '正在加载更早的消息…',
  'room.loadOlder': '加载更早的消息',
  'room.beginning': '这是 #{room} 的开始。',
  'room.jumpToNew': '新消息',
  'room.today': '今天',
  'room.yesterday': '昨天',
  'room.unavailable': '无法读取 #{room}：房间不存在或你不是成员。',

  'msg.you': '我',
  'msg.sending': '正在发送…',
  'msg.queued': '等待连接',
  'msg.failed': '未发送：{reason}',
  'msg.retry': '重试',
  'msg.discard': '丢弃',

  'composer.label': '发送消息到 #{room}',
  'composer.placeholder': '发送消息到 #{room}',
  'composer.send': '发送',
  'composer.hint': 'Enter 发送 · Shift+Enter 换行',
  'composer.tooLong': '太长了：{n} / {max} 个字符。',
  'composer.count': '{n} / {max}',
  'composer.rateLimited': '发送太快了，{s} 秒后可以再次发送。',
  'composer.offline': '离线：消息已排队，重新连接后发送。',

  'typing.one': '{a} 正在输入…',
  'typing.two': '{a} 和 {b} 正在输入…',
  'typing.many': '多人正在输入…',

  'members.heading': '在线成员',
  'members.you': '（我）',
  'members.none': '现在没有其他人在这里。',
  'members.close': '关闭成员列表',

  'dialog.cancel': '取消',
  'dialog.close': '关闭',
  'create.title': '创建房间',
  'create.name': '房间名称',
  'create.nameHint': '小写字母、数字、- 和 _（最多 64 个）。',
  'create.visibility': '谁可以加入',
  'create.public': '公开',
  'create.publicHint': '此服务器上的任何人都可以找到并加入。',
  'create.private': '私密',
  'create.privateHint': '只有你邀请的人可以加入。',
  'create.submit': '创建房间',
  'manage.title': '管理 #{room}',
  'manage.note': '只有房间所有者或服务器管理员可以操作，服务器会进行校验。',
  'manage.user': '用户名',
  'manage.invite': '邀请',
  'manage.kick': '移出',
  'manage.ban': '封禁',
  'manage.inviteHint': '邀请会把用户加入私密房间。移出会将其移出房间（公开房间可重新加入）。封禁则永久移出。',
  'shortcuts.title': '键盘快捷键',
  'shortcuts.send': '发送消息',
  'shortcuts.newline': '在消息中换行',
  'shortcuts.prevNext': '上一个 / 下一个房间',
  'shortcuts.jump': '加入或跳转到房间',
  'shortcuts.focus': '回到消息输入框',
  'shortcuts.scroll': '滚动消息（在输入框中也可以）',
  'shortcuts.help': '显示此列表',

  'moderation.done.invite': '已邀请 {user} 加入 #{room}。',
  'moderation.done.kick': '已将 {user} 移出 #{room}。',
  'moderation.done.ban': '已在 #{room} 封禁 {user}。',
  'moderation.youWereKicked': '你已被移出 #{room}。',
  'moderation.youWereBanned': '你已被 #{room} 封禁。',

  'error.BAD_REQUEST': '服务器未接受该请求。',
  'error.UNKNOWN_TYPE': '服务器无法识别该请求。',
  'error.NOT_FOUND': '没有这个房间或用户。',
  'error.FORBIDDEN': '你没有权限这样做。',
  'error.CONFLICT': '名为 #{room} 的房间已存在。',
  'error.RATE_LIMITED': '请求过多，{s} 秒后可以再试。',
  'error.TOO_LARGE': '内容太大。',
  'error.INTERNAL': '服务器出现问题，请重试。',
  'error.UNAVAILABLE': '服务器繁忙，请稍后再试。',
  'error.DISCONNECTED': '未连接。连接恢复后再试。',
  'error.TIMEOUT': '服务器没有及时响应。',
  'error.roomName': '房间名为 1–64 个小写字母、数字、- 或 _，并以字母或数字开头。',
  'error.roomMissing': '房间 #{room} 不存在。',
  'error.roomForbidden': '无法加入 #{room}：这是私密房间，或你已被封禁。',
  'error.tooManyRooms': '打开的房间太多。请先离开一个房间再打开 #{room}。',
  'reason.TOO_LARGE': '内容太长',
  'reason.FORBIDDEN': '在此房间中不被允许',
  'reason.BAD_REQUEST': '被服务器拒绝',
  'reason.other': '被拒绝（{code}）',
};

export type Locale = LocalePref;
export const LOCALES: ReadonlyArray<{ id: Locale; label: string }> = [
  { id: 'en', label: 'English' },
  { id: 'zh-CN', label: '简体中文' },
];

const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** The browser's preferred language among those we have; English otherwise. */
export function browserLocale(languages: readonly string[] = navigator.languages): Locale {
  for (const lang of languages) {
    const l = lang.toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

let current: Locale = 'en';

export function initLocale(): Locale {
  current = loadLocale() ?? browserLocale();
  document.documentElement.lang = current;
  return current;
}

export function locale(): Locale {
  return current;
}

export function setLocale(l: Locale): void {
  current = l;
  saveLocale(l);
  document.documentElement.lang = l;
}

/** A UI string. Unknown keys (e.g. an error code added later) fall back to English, then to the key. */
export function t(key: MessageKey | string, params: Record<string, string | number> = {}): string {
  const dict = dictionaries[current] as Record<string, string>;
  const template = dict[key] ?? (en as Record<string, string>)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : m));
}

/** A count with the right English plural (Chinese has one form). */
export function tn(oneKey: MessageKey, otherKey: MessageKey, n: number): string {
  return t(new Intl.PluralRules(current).select(n) === 'one' ? oneKey : otherKey, { n });
}
