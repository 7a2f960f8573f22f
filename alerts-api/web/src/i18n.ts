/** Vietnamese and English; the choice is remembered per browser. Keys are the English text's intent. */
const en = {
  title: 'Vigil operations',
  login: 'Log in',
  logout: 'Log out',
  username: 'Username',
  password: 'Password',
  loginFailed: 'Wrong username or password.',
  alerts: 'Live alerts',
  map: 'Camera map',
  health: 'Camera health',
  flood: 'Flood levels',
  noAlerts: 'No open alerts.',
  acknowledge: 'Acknowledge',
  resolve: 'Resolve',
  trueAlarm: 'True alarm',
  falseAlarm: 'False alarm',
  duplicate: 'Duplicate',
  addNote: 'Add note',
  evidence: 'Evidence',
  audit: 'Audit trail',
  notes: 'Notes',
  close: 'Close',
  firing: 'Firing',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  ok: 'OK',
  offline: 'Offline',
  by: 'by',
  camera: 'Camera',
  site: 'Site',
  level: 'Level',
  depth: 'Depth',
  trend: 'Trend',
  rising: 'Rising',
  falling: 'Falling',
  steady: 'Steady',
  unknown: 'Unknown',
  normal: 'Normal',
  watch: 'Watch',
  warning: 'Warning',
  danger: 'Danger',
  updated: 'Updated',
  publicTitle: 'Flood levels at city hotspots',
  publicNote: 'Depth measured by roadside cameras. Avoid flooded roads; follow official instructions.',
  noLocation: 'no map position configured',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  noHotspots: 'No flood readings yet.',
};
export type Key = keyof typeof en;
const vi: Record<Key, string> = {
  title: 'Vigil – Trung tâm điều hành',
  login: 'Đăng nhập',
  logout: 'Đăng xuất',
  username: 'Tên đăng nhập',
  password: 'Mật khẩu',
  loginFailed: 'Sai tên đăng nhập hoặc mật khẩu.',
  alerts: 'Cảnh báo trực tiếp',
  map: 'Bản đồ camera',
  health: 'Tình trạng camera',
  flood: 'Mực nước ngập',
  noAlerts: 'Không có cảnh báo đang mở.',
  acknowledge: 'Xác nhận',
  resolve: 'Đã xử lý',
  trueAlarm: 'Báo động đúng',
  falseAlarm: 'Báo động sai',
  duplicate: 'Trùng lặp',
  addNote: 'Thêm ghi chú',
  evidence: 'Bằng chứng',
  audit: 'Nhật ký thao tác',
  notes: 'Ghi chú',
  close: 'Đóng',
  firing: 'Đang báo',
  acknowledged: 'Đã xác nhận',
  resolved: 'Đã xử lý',
  ok: 'Bình thường',
  offline: 'Mất kết nối',
  by: 'bởi',
  camera: 'Camera',
  site: 'Địa điểm',
  level: 'Mức',
  depth: 'Độ sâu',
  trend: 'Xu hướng',
  rising: 'Đang lên',
  falling: 'Đang xuống',
  steady: 'Ổn định',
  unknown: 'Chưa rõ',
  normal: 'Bình thường',
  watch: 'Theo dõi',
  warning: 'Cảnh báo',
  danger: 'Nguy hiểm',
  updated: 'Cập nhật',
  publicTitle: 'Mực nước tại các điểm ngập',
  publicNote: 'Độ sâu đo bằng camera ven đường. Tránh các tuyến đường ngập; làm theo hướng dẫn của chính quyền.',
  noLocation: 'chưa cấu hình vị trí',
  connected: 'Trực tiếp',
  reconnecting: 'Đang kết nối lại…',
  noHotspots: 'Chưa có số liệu ngập.',
};

export type Lang = 'vi' | 'en';
const dict: Record<Lang, Record<Key, string>> = { en, vi };
let lang: Lang = (localStorage.getItem('vigil.lang') as Lang | null) ?? (navigator.language.startsWith('vi') ? 'vi' : 'en');

export function t(key: Key | string): string {
  return (dict[lang] as Record<string, string>)[key] ?? key;
}
export function currentLang(): Lang {
  return lang;
}
export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem('vigil.lang', next);
  document.documentElement.lang = next;
}
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', day: '2-digit', month: '2-digit' });
}
