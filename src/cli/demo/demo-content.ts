import type { Category, ContentType, Platform } from '../../domain/index.ts';

// Sample items for `casetrail demo`: what intake clerks in Vietnam see reported, in
// Vietnamese and English, over several platforms, each claim in its item's language.
// Invented accounts; no real person.

export interface SampleItem {
  platform: Platform;
  contentType: ContentType;
  language: 'vi' | 'en';
  handle: string;
  accountName: string;
  content: string;
  claim: string;
  category: Category;
  /** What verification finds: demo cases that end dismissed use the items found true or unknowable. */
  finding: 'false' | 'misleading' | 'accurate' | 'unverifiable';
}

export const SAMPLE_ITEMS: readonly SampleItem[] = [
  {
    platform: 'facebook',
    contentType: 'text',
    language: 'vi',
    handle: 'suckhoe.moingay',
    accountName: 'Sức Khỏe Mỗi Ngày',
    category: 'health',
    finding: 'false',
    content: 'Uống nước chanh nóng mỗi sáng chữa khỏi cúm A chỉ trong 3 ngày, bác sĩ không muốn bạn biết điều này!',
    claim: 'Uống nước chanh nóng chữa khỏi cúm A trong ba ngày',
  },
  {
    platform: 'tiktok',
    contentType: 'video',
    language: 'vi',
    handle: 'meo.dan.gian',
    accountName: 'Mẹo Dân Gian',
    category: 'health',
    finding: 'false',
    content: 'Xông lá bưởi 15 phút tiêu diệt hoàn toàn virus sốt xuất huyết trong máu.',
    claim: 'Xông lá bưởi tiêu diệt virus sốt xuất huyết trong máu',
  },
  {
    platform: 'zalo',
    contentType: 'text',
    language: 'vi',
    handle: 'nhom.cudan.q7',
    accountName: 'Nhóm cư dân Quận 7',
    category: 'disaster',
    finding: 'false',
    content: 'KHẨN: Đập thủy điện Trị An sắp vỡ, toàn bộ người dân Biên Hòa phải sơ tán ngay trong đêm nay!',
    claim: 'Đập thủy điện Trị An sắp vỡ, Biên Hòa phải sơ tán trong đêm',
  },
  {
    platform: 'facebook',
    contentType: 'image',
    language: 'vi',
    handle: 'tin.nong.24h',
    accountName: 'Tin Nóng 24h',
    category: 'safety',
    finding: 'misleading',
    content: 'Ảnh: cầu Rạch Miễu 2 bị nứt toác sau trận mưa lớn, xe cộ không được qua lại.',
    claim: 'Cầu Rạch Miễu 2 bị nứt sau mưa lớn và đã đóng cửa',
  },
  {
    platform: 'youtube',
    contentType: 'video',
    language: 'vi',
    handle: 'kinhte.thitruong',
    accountName: 'Kinh Tế Thị Trường',
    category: 'economy',
    finding: 'false',
    content: 'Ngân hàng Nhà nước sẽ đổi tiền từ tháng sau, tiền cũ mất giá trị, hãy rút hết tiền gửi ngay!',
    claim: 'Ngân hàng Nhà nước sẽ đổi tiền vào tháng sau, tiền cũ mất giá trị',
  },
  {
    platform: 'facebook',
    contentType: 'link',
    language: 'vi',
    handle: 'viec.lam.online',
    accountName: 'Việc Làm Online Uy Tín',
    category: 'scam',
    finding: 'false',
    content: 'Tuyển cộng tác viên chốt đơn Shopee, nhận 500.000đ/ngày, chỉ cần nộp phí kích hoạt 300.000đ.',
    claim: 'Nộp phí kích hoạt để nhận việc chốt đơn Shopee 500.000 đồng mỗi ngày',
  },
  {
    platform: 'zalo',
    contentType: 'text',
    language: 'vi',
    handle: 'thongbao.evn',
    accountName: 'Thông báo EVN',
    category: 'scam',
    finding: 'false',
    content:
      'EVN thông báo: hộ gia đình chưa thanh toán tiền điện sẽ bị cắt điện trong 2 giờ, bấm vào đường link để thanh toán.',
    claim: 'EVN sẽ cắt điện trong hai giờ nếu không thanh toán qua đường link này',
  },
  {
    platform: 'tiktok',
    contentType: 'video',
    language: 'vi',
    handle: 'review.ancuong',
    accountName: 'Review Ăn Cùng',
    category: 'safety',
    finding: 'misleading',
    content: 'Trứng gà giả làm từ nhựa đang bán tràn lan ở chợ Bình Điền, ai mua rồi đừng ăn!',
    claim: 'Trứng gà giả bằng nhựa đang được bán ở chợ Bình Điền',
  },
  {
    platform: 'x',
    contentType: 'text',
    language: 'en',
    handle: 'saigon_watch',
    accountName: 'Saigon Watch',
    category: 'public_order',
    finding: 'false',
    content:
      'BREAKING: all schools in Ho Chi Minh City closed tomorrow due to a chemical leak in District 4. Share before it gets deleted.',
    claim: 'Every school in Ho Chi Minh City closes tomorrow because of a chemical leak',
  },
  {
    platform: 'website',
    contentType: 'link',
    language: 'vi',
    handle: 'baomoi24.info',
    accountName: 'Báo Mới 24',
    category: 'economy',
    finding: 'false',
    content: 'Giá xăng RON95 sẽ tăng lên 40.000 đồng/lít từ 0 giờ đêm nay theo quyết định của Bộ Công Thương.',
    claim: 'Xăng RON95 tăng lên 40.000 đồng một lít từ tối nay theo quyết định của Bộ',
  },
  {
    platform: 'facebook',
    contentType: 'video',
    language: 'en',
    handle: 'expat.alerts.vn',
    accountName: 'Expat Alerts Vietnam',
    category: 'health',
    finding: 'false',
    content: 'Tap water in Hanoi now contains arsenic at 50 times the safe limit, confirmed by a leaked lab report.',
    claim: 'Hanoi tap water holds arsenic at fifty times the safe limit',
  },
  {
    platform: 'youtube',
    contentType: 'video',
    language: 'en',
    handle: 'crypto.vn.daily',
    accountName: 'Crypto VN Daily',
    category: 'scam',
    finding: 'false',
    content:
      'The government has approved VNCoin: invest 10 million VND today and get 100 million guaranteed in 30 days.',
    claim: 'A government-approved token guarantees a tenfold return in thirty days',
  },
  {
    platform: 'tiktok',
    contentType: 'video',
    language: 'vi',
    handle: 'bao.lu.mien.trung',
    accountName: 'Bão Lũ Miền Trung',
    category: 'disaster',
    finding: 'misleading',
    content: 'Video cảnh lũ cuốn trôi cả khu phố ở Huế sáng nay (thực ra quay từ năm 2020).',
    claim: 'Sáng nay lũ cuốn trôi cả một con phố ở Huế',
  },
  {
    platform: 'facebook',
    contentType: 'text',
    language: 'vi',
    handle: 'nguoi.trong.cuoc',
    accountName: 'Người Trong Cuộc',
    category: 'defamation',
    finding: 'false',
    content: 'Giám đốc bệnh viện tỉnh bị bắt vì bán vắc xin giả, tin nội bộ chưa ai đăng.',
    claim: 'Giám đốc bệnh viện tỉnh bị bắt vì bán vắc-xin giả',
  },
  {
    platform: 'x',
    contentType: 'image',
    language: 'en',
    handle: 'hanoi_traffic',
    accountName: 'Hanoi Traffic Updates',
    category: 'public_order',
    finding: 'misleading',
    content: 'Photo: thousands protesting at Hoan Kiem Lake right now, police closing all roads.',
    claim: 'Thousands are protesting at Hoan Kiem Lake and every road is closed',
  },
  {
    platform: 'website',
    contentType: 'text',
    language: 'en',
    handle: 'vn-health-truth.net',
    accountName: 'VN Health Truth',
    category: 'health',
    finding: 'false',
    content: 'Study: children who received the measles vaccine in 2025 show twice the rate of autism.',
    claim: 'The 2025 measles vaccine doubles the rate of autism in children',
  },
  {
    platform: 'zalo',
    contentType: 'audio',
    language: 'vi',
    handle: 'hoi.phu.huynh',
    accountName: 'Hội Phụ Huynh Trường Tiểu Học',
    category: 'safety',
    finding: 'accurate',
    content: 'Tin nhắn thoại: trường sẽ cho học sinh nghỉ học thứ Sáu vì bão số 9 đổ bộ.',
    claim: 'Trường nghỉ học thứ Sáu vì bão số 9 đổ bộ',
  },
  {
    platform: 'facebook',
    contentType: 'text',
    language: 'vi',
    handle: 'gia.ca.thi.truong',
    accountName: 'Giá Cả Thị Trường',
    category: 'economy',
    finding: 'accurate',
    content: 'Giá thịt lợn hơi tại Đồng Nai giảm 5.000 đồng/kg trong tuần này.',
    claim: 'Giá lợn hơi ở Đồng Nai giảm 5.000 đồng/kg trong tuần này',
  },
  {
    platform: 'youtube',
    contentType: 'video',
    language: 'vi',
    handle: 'bi.an.the.gioi',
    accountName: 'Bí Ẩn Thế Giới',
    category: 'other',
    finding: 'unverifiable',
    content: 'Nhân chứng kể lại việc nhìn thấy vật thể bay lạ trên bầu trời Đà Lạt đêm qua.',
    claim: 'Vật thể bay không xác định xuất hiện trên bầu trời Đà Lạt đêm qua',
  },
  {
    platform: 'x',
    contentType: 'text',
    language: 'en',
    handle: 'danang_news',
    accountName: 'Da Nang News',
    category: 'disaster',
    finding: 'accurate',
    content: 'Da Nang airport suspends flights this afternoon as the typhoon approaches.',
    claim: 'Da Nang airport suspends flights as the typhoon approaches',
  },
  {
    platform: 'tiktok',
    contentType: 'video',
    language: 'vi',
    handle: 'chuyen.la.xom',
    accountName: 'Chuyện Lạ Xóm Tôi',
    category: 'other',
    finding: 'unverifiable',
    content: 'Một người đàn ông ở Nghệ An tự nhận đã nhịn ăn 3 tháng chỉ uống nước suối.',
    claim: 'Một người ở Nghệ An nói đã nhịn ăn ba tháng chỉ uống nước suối',
  },
];

/** One province's authorities: its Department of Information and Communications, and the city and district committees that decide with it. */
export const AUTHORITIES = [
  { code: 'STTTT-LD', name: 'Sở Thông tin và Truyền thông tỉnh Lâm Đồng' },
  { code: 'STTTT-LD', name: 'Sở Thông tin và Truyền thông tỉnh Lâm Đồng' },
  { code: 'UBND-DALAT', name: 'Ủy ban nhân dân thành phố Đà Lạt' },
  { code: 'UBND-BAOLOC', name: 'Ủy ban nhân dân thành phố Bảo Lộc' },
] as const;

export const LEGAL_BASES = [
  { instrument: 'Nghị định 15/2020/NĐ-CP', article: '101', clause: '1.a' },
  { instrument: 'Nghị định 14/2022/NĐ-CP', article: '101', clause: '1.b' },
  { instrument: 'Luật An ninh mạng 2018', article: '16', clause: '3' },
] as const;

export const EVIDENCE_SOURCES = [
  { url: 'https://moh.gov.vn/tin-noi-bat', description: 'Ministry of Health statement contradicting the claim' },
  { url: 'https://www.sbv.gov.vn/thong-cao-bao-chi', description: 'State Bank of Vietnam press release' },
  { url: 'https://www.evn.com.vn/canh-bao-lua-dao', description: 'EVN warning about fake payment messages' },
  { url: 'https://nchmf.gov.vn/tin-canh-bao', description: 'National weather centre bulletin' },
  { url: 'https://tingia.gov.vn/', description: 'Entry in the national fake-news register' },
] as const;

export const WITHDRAW_REASONS = [
  'Reported twice by the monitoring team; the other case is being worked.',
  'The reporter withdrew the tip and the item was deleted before capture.',
  'Outside our jurisdiction: forwarded to the provincial department.',
] as const;

export const NOTES = [
  'Đã liên hệ người báo tin để xin ảnh chụp màn hình gốc.',
  'Called the reporter: the post was shared in three neighbourhood groups.',
  'Bài viết đã bị gỡ sau khi bị báo cáo, đã lưu bản lưu trữ.',
] as const;
