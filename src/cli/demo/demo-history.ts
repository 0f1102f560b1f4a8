import { createHash } from 'node:crypto';
import { IMPORT_COLUMNS, csvLine, type ImportColumn, type Outcome, type Stage } from '../../domain/index.ts';
import { LEGAL_BASES } from './demo-content.ts';

// The half year before the demo's live weeks, as one province's unit would have kept it
// in a spreadsheet: cases of Lâm Đồng's Department of Information and Communications and
// its districts, written as an import file (docs/design.md §15). Topics come and go (a
// dengue outbreak, a football tournament, a petrol price rumour), scams never stop; each
// step takes hours to days, some longer than their deadline; a few accounts are penalised
// again and again. Deterministic for a run tag.

const DAY = 86_400_000;
const HOUR = 3_600_000;

const DISTRICTS = [
  'Đà Lạt',
  'Bảo Lộc',
  'Đức Trọng',
  'Di Linh',
  'Lâm Hà',
  'Đơn Dương',
  'Lạc Dương',
  'Bảo Lâm',
  'Đạ Huoai',
  'Cát Tiên',
  'Đam Rông',
  'Đạ Tẻh',
] as const;

const AUTHORITY = { code: 'STTTT-LD', name: 'Sở Thông tin và Truyền thông tỉnh Lâm Đồng' };
const DISTRICT_AUTHORITY = (district: string) => ({
  code: `UBND-${slug(district).toUpperCase()}`,
  name: `Ủy ban nhân dân ${district === 'Đà Lạt' || district === 'Bảo Lộc' ? 'thành phố' : 'huyện'} ${district}`,
});

type Template = { category: string; platform: string; content: string; claim: string; dismissable?: boolean };
/** A topic, active between two days of the half year (0 = its first day). */
type Topic = { from: number; to: number; weight: number; templates: Template[] };

const TOPICS: Topic[] = [
  {
    from: 0,
    to: 70,
    weight: 5,
    templates: [
      {
        category: 'health',
        platform: 'facebook',
        content: 'Dịch sốt xuất huyết bùng phát ở {d}, đã có {n} người tử vong mà chính quyền giấu!',
        claim: 'Sốt xuất huyết ở {d} đã làm {n} người tử vong và bị che giấu',
      },
      {
        category: 'health',
        platform: 'tiktok',
        content:
          'Uống nước lá đu đủ {n} lần một ngày khỏi hẳn sốt xuất huyết, không cần đi viện. Chia sẻ cho bà con {d}!',
        claim: 'Nước lá đu đủ chữa khỏi sốt xuất huyết, không cần điều trị',
      },
      {
        category: 'health',
        platform: 'zalo',
        content: 'Bệnh viện {d} hết giường, bệnh nhân sốt xuất huyết nằm ngoài hành lang, {n} ca mới mỗi ngày.',
        claim: 'Bệnh viện {d} quá tải vì sốt xuất huyết',
        dismissable: true,
      },
    ],
  },
  {
    from: 60,
    to: 120,
    weight: 4,
    templates: [
      {
        category: 'public_order',
        platform: 'facebook',
        content: 'Cổ động viên {d} kéo nhau đi đốt xe sau trận chung kết, {n} người bị thương!',
        claim: 'Cổ động viên ở {d} đốt xe sau trận chung kết, {n} người bị thương',
      },
      {
        category: 'scam',
        platform: 'facebook',
        content: 'Bán vé chung kết giá gốc, chuyển khoản trước {n}00.000đ giữ chỗ, giao vé tận nhà ở {d}.',
        claim: 'Bán vé trận chung kết giá gốc, chuyển khoản giữ chỗ',
      },
      {
        category: 'other',
        platform: 'youtube',
        content: 'Đội tuyển bị mua chuộc, trọng tài nhận {n} tỷ, tin nội bộ từ một cầu thủ quê {d}.',
        claim: 'Trọng tài trận chung kết nhận hối lộ {n} tỷ đồng',
        dismissable: true,
      },
    ],
  },
  {
    from: 115,
    to: 180,
    weight: 5,
    templates: [
      {
        category: 'economy',
        platform: 'zalo',
        content: 'KHẨN: Từ 0h đêm nay xăng RON95 tăng {n}.000đ/lít, bà con {d} đi đổ xăng ngay!',
        claim: 'Giá xăng RON95 tăng {n}.000 đồng/lít từ 0 giờ đêm nay',
      },
      {
        category: 'economy',
        platform: 'facebook',
        content: 'Các cây xăng ở {d} đóng cửa để chờ tăng giá, đã {n} cây xăng treo biển hết hàng.',
        claim: 'Cây xăng ở {d} đóng cửa chờ tăng giá',
        dismissable: true,
      },
      {
        category: 'economy',
        platform: 'tiktok',
        content: 'Giá cà phê nhân {d} lập đỉnh {n}0.000đ/kg, thương lái ép giá nông dân, ai bán lúc này là dại.',
        claim: 'Giá cà phê nhân ở {d} đạt {n}0.000 đồng/kg',
        dismissable: true,
      },
    ],
  },
  {
    from: 0,
    to: 180,
    weight: 3,
    templates: [
      {
        category: 'scam',
        platform: 'facebook',
        content: 'Tuyển cộng tác viên chốt đơn tại nhà ở {d}, lương {n}00.000đ/ngày, chỉ cần nộp phí kích hoạt.',
        claim: 'Việc làm chốt đơn tại nhà {n}00.000 đồng/ngày sau khi nộp phí kích hoạt',
      },
      {
        category: 'scam',
        platform: 'zalo',
        content: 'Điện lực {d} thông báo cắt điện trong {n} giờ nếu không thanh toán qua đường link đính kèm.',
        claim: 'Điện lực {d} cắt điện nếu không thanh toán qua đường link',
      },
      {
        category: 'disaster',
        platform: 'facebook',
        content: 'Sạt lở đèo Prenn, {n} xe bị vùi lấp, đường lên {d} bị chia cắt hoàn toàn!',
        claim: 'Sạt lở đèo Prenn vùi lấp {n} xe',
        dismissable: true,
      },
      {
        category: 'defamation',
        platform: 'facebook',
        content: 'Chủ tịch xã ở {d} nhận {n}00 triệu để cấp phép xây dựng trái phép, bằng chứng đầy đủ.',
        claim: 'Chủ tịch xã ở {d} nhận hối lộ {n}00 triệu đồng',
      },
    ],
  },
];

const FAMILY = ['nguyen', 'tran', 'le', 'pham', 'hoang', 'vu', 'dang', 'bui', 'do', 'ho', 'ngo', 'duong'];
const GIVEN = [
  'an',
  'binh',
  'chi',
  'dung',
  'giang',
  'hanh',
  'khoa',
  'lan',
  'minh',
  'nga',
  'phuc',
  'quan',
  'son',
  'thao',
  'tuan',
];
const FAMILY_VI: Record<string, string> = {
  nguyen: 'Nguyễn',
  tran: 'Trần',
  le: 'Lê',
  pham: 'Phạm',
  hoang: 'Hoàng',
  vu: 'Vũ',
  dang: 'Đặng',
  bui: 'Bùi',
  do: 'Đỗ',
  ho: 'Hồ',
  ngo: 'Ngô',
  duong: 'Dương',
};
const GIVEN_VI: Record<string, string> = {
  an: 'An',
  binh: 'Bình',
  chi: 'Chi',
  dung: 'Dũng',
  giang: 'Giang',
  hanh: 'Hạnh',
  khoa: 'Khoa',
  lan: 'Lan',
  minh: 'Minh',
  nga: 'Nga',
  phuc: 'Phúc',
  quan: 'Quân',
  son: 'Sơn',
  thao: 'Thảo',
  tuan: 'Tuấn',
};

function slug(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/gu, 'd').replace(/Đ/gu, 'D').replace(/\s+/gu, '');
}

/** A deterministic stream of numbers in [0, 1) for a seed. */
function randomOf(seed: string): () => number {
  let counter = 0;
  return () => {
    const digest = createHash('sha256').update(`${seed}:${counter++}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
/** dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), as the unit's spreadsheet writes it. */
function dmy(ms: number): string {
  const d = new Date(ms + 7 * HOUR);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export type DemoHistory = {
  csv: string;
  rows: number;
  /** Where the rows leave their cases (before the SLA sweep adds breaches to the open ones). */
  stages: Record<Stage, number>;
  outcomes: Partial<Record<Outcome, number>>;
};

type Fate = 'open' | 'dismissed' | 'no_violation' | 'penalty_enforced' | 'upheld' | 'overturned' | 'withdrawn';
const FATES: [Fate, number][] = [
  ['dismissed', 22],
  ['no_violation', 10],
  ['penalty_enforced', 44],
  ['upheld', 4],
  ['overturned', 4],
  ['withdrawn', 6],
  ['open', 10],
];

/** One of the entries, each as likely as its weight. */
function weighted<T>(entries: readonly (readonly [T, number])[], r: number): T {
  const total = entries.reduce((a, [, w]) => a + w, 0);
  let left = r * total;
  for (const [value, weight] of entries) {
    left -= weight;
    if (left < 0) return value;
  }
  return (entries.at(-1) as readonly [T, number])[0];
}

/**
 * `rows` past cases received over the half year that ends `liveDays` before `now`, as
 * the CSV of the import template.
 */
export function demoHistory(input: { rows: number; runTag: string; now: Date; liveDays?: number }): DemoHistory {
  const random = randomOf(`history-${input.runTag}`);
  const end = input.now.getTime() - (input.liveDays ?? 14) * DAY;
  const start = end - 180 * DAY;
  const names = IMPORT_COLUMNS.map((c) => c.name);
  const stages: Record<Stage, number> = { received: 0, verified: 0, referred: 0, penalty_issued: 0, closed: 0 };
  const outcomes: Partial<Record<Outcome, number>> = {};
  // A few accounts post again and again: the square of a uniform draw favours the first ones.
  const accounts = Array.from({ length: Math.max(12, Math.round(input.rows / 3)) }, (_, i) => {
    const family = FAMILY[i % FAMILY.length] as string;
    const given = GIVEN[(i * 7) % GIVEN.length] as string;
    return { handle: `${family}.${given}.${i}`, name: `${FAMILY_VI[family]} ${GIVEN_VI[given]}` };
  });
  let decisions = 0;
  const lines = [csvLine(names)];
  for (let n = 1; n <= input.rows; n += 1) {
    const day = Math.floor(random() * 180);
    const active = TOPICS.filter((t) => day >= t.from && day < t.to);
    const topic = weighted(
      active.map((t) => [t, t.weight] as const),
      random(),
    );
    const template = topic.templates[Math.floor(random() * topic.templates.length)] as Template;
    const district = DISTRICTS[Math.floor(random() * DISTRICTS.length)] as string;
    const figure = 2 + Math.floor(random() * 18);
    const fill = (text: string) => text.replaceAll('{d}', district).replaceAll('{n}', String(figure));
    const account = accounts[Math.floor(random() ** 2 * accounts.length)] as { handle: string; name: string };
    const received = start + day * DAY + Math.floor(random() * 14 * HOUR) + 7 * HOUR;
    // Every 25th report was never picked up: overdue in its first stage, whatever the draw.
    const forgotten = n % 25 === 0;
    let fate = forgotten ? 'open' : weighted(FATES, random());
    if (fate === 'dismissed' && !template.dismissable && random() < 0.5) fate = 'penalty_enforced';
    // Hours to days per step; about one verification in five takes longer than its day.
    const verified = received + (2 + random() ** 2 * 60) * HOUR;
    const referred = verified + (4 + random() * 80) * HOUR;
    const decided = referred + (3 + random() * 30) * DAY;
    const appealed = decided + (2 + random() * 8) * DAY;
    const appealDecided = appealed + (7 + random() * 20) * DAY;
    const closed = (fate === 'upheld' ? appealDecided : decided) + (3 + random() * 20) * DAY;
    const cells: Partial<Record<ImportColumn, string>> = {
      received_at: dmy(received),
      platform: template.platform,
      url: `https://www.${template.platform === 'zalo' ? 'zalo.me' : `${template.platform}.com`}/${slug(district).toLowerCase()}/${input.runTag.toLowerCase()}${n}`,
      content: fill(template.content),
      claim: fill(template.claim),
      category: template.category,
      account_handle: account.handle,
      account_name: account.name,
      language: 'vi',
      source: random() < 0.6 ? 'monitoring' : 'citizen_tip',
    };
    const stepsFit = (last: number) => last < input.now.getTime() - HOUR;
    const verify = (verdict: string) =>
      Object.assign(cells, {
        verified_at: dmy(verified),
        verdict,
        rationale: `Đối chiếu với thông tin chính thức của cơ quan chức năng tỉnh Lâm Đồng về ${district}.`,
        evidence_url: 'https://lamdong.gov.vn/',
      });
    const authority = random() < 0.75 ? AUTHORITY : DISTRICT_AUTHORITY(district);
    const refer = () =>
      Object.assign(cells, {
        referred_at: dmy(referred),
        authority_code: authority.code,
        authority_name: authority.name,
      });
    const penalise = () => {
      decisions += 1;
      const basis = LEGAL_BASES[decisions % LEGAL_BASES.length] as {
        instrument: string;
        article: string;
        clause: string;
      };
      Object.assign(cells, {
        decided_at: dmy(decided),
        decision_no: `${decisions}/QĐ-XPHC-${input.runTag}-LS`,
        legal_basis: `${basis.instrument}|${basis.article}|${basis.clause}`,
        fine_vnd: String(([5, 7.5, 10, 12.5, 15, 20][decisions % 6] as number) * 1_000_000),
        remedies: decisions % 3 === 0 ? 'remove_content,publish_correction' : 'remove_content',
        subject: account.name,
        facts: `Đăng tải thông tin sai sự thật: ${fill(template.claim)}.`,
      });
    };
    const close = (at: number, outcome: Outcome, note?: string) => {
      Object.assign(cells, { closed_at: dmy(at), outcome, ...(note === undefined ? {} : { note }) });
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      stages.closed += 1;
    };
    // A case whose last step would fall in the live weeks stays open where it is.
    if ((fate === 'upheld' || fate === 'overturned') && !stepsFit(appealDecided)) fate = 'open';
    if ((fate === 'penalty_enforced' || fate === 'upheld') && !stepsFit(closed)) fate = 'open';
    if (fate === 'no_violation' && !stepsFit(decided)) fate = 'open';
    switch (fate) {
      case 'dismissed':
        verify(random() < 0.7 ? 'accurate' : 'unverifiable');
        close(verified, 'dismissed');
        break;
      case 'withdrawn':
        close(
          received + (1 + random() * 20) * HOUR,
          'withdrawn',
          'Người báo tin rút lại phản ánh, bài viết đã bị xóa.',
        );
        break;
      case 'no_violation':
        verify('misleading');
        refer();
        Object.assign(cells, {
          decided_at: dmy(decided),
          note: 'Nội dung mang tính bình luận, chưa đủ căn cứ xử phạt.',
        });
        close(decided, 'no_violation', 'Nội dung mang tính bình luận, chưa đủ căn cứ xử phạt.');
        break;
      case 'penalty_enforced':
        verify('false');
        refer();
        penalise();
        close(closed, 'penalty_enforced', 'Đã gỡ bài và nộp phạt.');
        break;
      case 'upheld':
      case 'overturned':
        verify('false');
        refer();
        penalise();
        Object.assign(cells, {
          appeal_filed_at: dmy(appealed),
          appeal_grounds: 'Người vi phạm cho rằng chỉ chia sẻ lại, không phải tác giả.',
          appeal_decision: fate === 'upheld' ? 'upheld' : 'overturned',
          appeal_decided_at: dmy(appealDecided),
        });
        if (fate === 'upheld') close(closed, 'penalty_enforced', 'Giữ nguyên quyết định; đã nộp phạt.');
        else close(appealDecided, 'penalty_overturned');
        break;
      case 'open': {
        // Left where the record stops: overdue now, so the SLA sweep records a breach.
        const depth = forgotten ? 0 : Math.floor(random() * 4);
        if (depth >= 1 && stepsFit(verified)) verify('false');
        if (depth >= 2 && stepsFit(referred)) refer();
        if (depth >= 3 && stepsFit(decided)) penalise();
        const stage: Stage = cells.decision_no
          ? 'penalty_issued'
          : cells.referred_at
            ? 'referred'
            : cells.verified_at
              ? 'verified'
              : 'received';
        stages[stage] += 1;
        break;
      }
    }
    lines.push(csvLine(names.map((name) => cells[name] ?? '')));
  }
  return { csv: `\uFEFF${lines.join('')}`, rows: input.rows, stages, outcomes };
}
