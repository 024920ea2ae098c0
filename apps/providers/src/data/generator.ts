import { enterpriseCheckDigit, formatPersonalId, PROVINCES, Sex } from '@ndxp/contracts';

/**
 * Synthetic national records: valid identifiers, plausible Vietnamese names
 * and addresses, generated from a seed so every run gives the same records.
 * Nothing here is a real person or enterprise.
 */
export function prng(seed: number): () => number {
  // mulberry32: small, fast, and the same sequence for the same seed everywhere.
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const SURNAMES = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE_MALE = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quang', 'Thanh', 'Gia', 'Xuân', 'Công', 'Đình'];
const MIDDLE_FEMALE = ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Minh', 'Hoài', 'Phương', 'Mai', 'Kim', 'Bảo'];
const GIVEN_MALE = ['An', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Khoa', 'Long', 'Minh', 'Nam', 'Phong', 'Quân', 'Sơn', 'Thắng', 'Tuấn', 'Việt', 'Khánh', 'Huy'];
const GIVEN_FEMALE = ['Anh', 'Chi', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Ngọc', 'Nhung', 'Phương', 'Thảo', 'Trang', 'Vy', 'Yến'];
const STREETS = ['Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Trãi', 'Hai Bà Trưng', 'Lý Thường Kiệt', 'Quang Trung', 'Phan Chu Trinh', 'Nguyễn Huệ', 'Điện Biên Phủ', 'Hùng Vương'];
const WARDS = ['Phường 1', 'Phường 2', 'Phường Trung Tâm', 'Xã Hòa Bình', 'Xã Tân Lập', 'Thị trấn Đông Anh', 'Phường Bến Thành', 'Xã An Phú'];
const ETHNICITIES = [
  ['Kinh', 0.85],
  ['Tày', 0.03],
  ['Thái', 0.02],
  ['Mường', 0.02],
  ['Khmer', 0.02],
  ['Hoa', 0.01],
  ['Nùng', 0.01],
  ["H'Mông", 0.02],
  ['Dao', 0.01],
  ['Ê Đê', 0.01],
] as const;

export interface Citizen {
  personalId: string;
  fullName: string;
  dateOfBirth: string;
  sex: Sex;
  provinceCode: string;
  hometown: string;
  permanentAddress: string;
  ethnicity: string;
  nationality: string;
}

function address(r: () => number, province: string): string {
  return `Số ${1 + Math.floor(r() * 300)} ${pick(r, STREETS)}, ${pick(r, WARDS)}, ${province}`;
}

function ethnicity(r: () => number): string {
  let x = r();
  for (const [name, p] of ETHNICITIES) if ((x -= p) < 0) return name;
  return 'Kinh';
}

/** `count` citizens; personal IDs unique (a serial per province/century-sex/year prefix). */
export function* citizens(seed: number, count: number): Generator<Citizen> {
  const r = prng(seed);
  const serials = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const province = pick(r, PROVINCES);
    const sex: Sex = r() < 0.5 ? 'male' : 'female';
    const year = 1930 + Math.floor(r() * 91); // 1930-2020
    const month = 1 + Math.floor(r() * 12);
    const day = 1 + Math.floor(r() * 28);
    const prefix = `${province.code}${sex}${year}`;
    const serial = (serials.get(prefix) ?? Math.floor(r() * 1000)) + 1 + Math.floor(r() * 3);
    serials.set(prefix, serial);
    const given = sex === 'male' ? pick(r, GIVEN_MALE) : pick(r, GIVEN_FEMALE);
    const middle = sex === 'male' ? pick(r, MIDDLE_MALE) : pick(r, MIDDLE_FEMALE);
    const home = pick(r, PROVINCES);
    yield {
      personalId: formatPersonalId(province.code, year, sex, serial % 1_000_000),
      fullName: `${pick(r, SURNAMES)} ${middle} ${given}`,
      dateOfBirth: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      sex,
      provinceCode: province.code,
      hometown: home.name,
      permanentAddress: address(r, province.name),
      ethnicity: ethnicity(r),
      nationality: 'Việt Nam',
    };
  }
}

export interface Enterprise {
  code: string;
  parentCode: string | null;
  name: string;
  status: string;
  address: string;
  legalRepresentative: string;
  registrationDate: string;
  businessLines: Array<{ code: string; name: string; main: boolean }>;
}

const BUSINESS_LINES = [
  ['4711', 'Bán lẻ lương thực, thực phẩm trong cửa hàng kinh doanh tổng hợp'],
  ['6201', 'Lập trình máy vi tính'],
  ['4100', 'Xây dựng nhà các loại'],
  ['5610', 'Nhà hàng và các dịch vụ ăn uống phục vụ lưu động'],
  ['4933', 'Vận tải hàng hóa bằng đường bộ'],
  ['1410', 'May trang phục (trừ trang phục từ da lông thú)'],
  ['6810', 'Kinh doanh bất động sản'],
  ['8299', 'Hoạt động dịch vụ hỗ trợ kinh doanh khác'],
  ['0118', 'Trồng rau, đậu các loại và trồng hoa'],
  ['4662', 'Bán buôn kim loại và quặng kim loại'],
] as const;
const KINDS = ['Công ty TNHH', 'Công ty Cổ phần', 'Công ty TNHH MTV', 'Doanh nghiệp tư nhân'];
const NAME_WORDS = ['Thành Công', 'Phú Quý', 'Hưng Thịnh', 'Đại Việt', 'Sao Mai', 'Bình Minh', 'Hoàng Long', 'An Khang', 'Tân Tiến', 'Việt Hưng', 'Trường Sơn', 'Hồng Hà'];
const STATUSES = [
  ['Đang hoạt động', 0.82],
  ['Tạm ngừng kinh doanh', 0.08],
  ['Đang làm thủ tục giải thể', 0.03],
  ['Đã giải thể', 0.07],
] as const;

/**
 * `count` enterprises with valid 10-digit codes (check digit per the tax-code
 * rule; prefixes whose check digit would be 10 are skipped), every fifth with
 * a 13-digit branch. The two-digit province prefixes are illustrative.
 */
export function* enterprises(seed: number, count: number): Generator<Enterprise> {
  const r = prng(seed ^ 0x5eed);
  const prefixes = ['01', '02', '03', '04', '05', '10', '20', '23', '27', '28', '30', '31', '36', '40', '56', '60'];
  let n = 0;
  let seq = 1000;
  while (n < count) {
    seq += 1 + Math.floor(r() * 7);
    const prefix9 = `${pick(r, prefixes)}${String(seq).padStart(7, '0')}`;
    const check = enterpriseCheckDigit(prefix9);
    if (check === undefined) continue;
    const code = `${prefix9}${check}`;
    const year = 1995 + Math.floor(r() * 28);
    let x = r();
    let status = 'Đang hoạt động';
    for (const [s, p] of STATUSES)
      if ((x -= p) < 0) {
        status = s;
        break;
      }
    const lines = [...BUSINESS_LINES].sort(() => r() - 0.5).slice(0, 1 + Math.floor(r() * 4));
    const province = pick(r, PROVINCES).name;
    const rep = `${pick(r, SURNAMES)} ${pick(r, MIDDLE_MALE)} ${pick(r, GIVEN_MALE)}`;
    const e: Enterprise = {
      code,
      parentCode: null,
      name: `${pick(r, KINDS)} ${pick(r, NAME_WORDS)} ${pick(r, NAME_WORDS)}`,
      status,
      address: address(r, province),
      legalRepresentative: rep,
      registrationDate: `${year}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
      businessLines: lines.map(([c, name], i) => ({ code: c, name, main: i === 0 })),
    };
    yield e;
    n++;
    if (n < count && n % 5 === 0) {
      yield { ...e, code: `${code}-001`, parentCode: code, name: `Chi nhánh ${e.name}`, address: address(r, pick(r, PROVINCES).name) };
      n++;
    }
  }
}

export interface InsuranceParticipant {
  insuranceNumber: string;
  personalId: string;
  fullName: string;
  cardNumber: string;
  validFrom: string;
  validTo: string;
  clinicCode: string;
  clinicName: string;
  benefitLevel: number;
}

const CLINICS = ['Bệnh viện Đa khoa tỉnh', 'Trung tâm Y tế huyện', 'Trạm Y tế xã', 'Bệnh viện Đa khoa khu vực', 'Phòng khám Đa khoa'];
const GROUPS = ['DN', 'HC', 'HS', 'GD', 'HT', 'TE', 'CN', 'SV'];

/**
 * Insurance participants for about 9 in 10 of the citizens. The 10-digit
 * insurance number is a synthetic serial (its real structure is UNCONFIRMED);
 * the 15-character card number follows the public description (2-letter
 * group, benefit level digit, 2-digit province, 10-digit insurance number).
 */
export function* insuranceParticipants(seed: number, people: Iterable<Citizen>): Generator<InsuranceParticipant> {
  const r = prng(seed ^ 0xbe11);
  let serial = 100_000_000;
  for (const c of people) {
    if (r() > 0.9) continue;
    serial += 1 + Math.floor(r() * 5);
    const insuranceNumber = String(serial).padStart(10, '0');
    const benefitLevel = 1 + Math.floor(r() * 5);
    const fromYear = 2024 + Math.floor(r() * 2);
    const expired = r() < 0.08;
    const province = c.provinceCode.slice(1);
    yield {
      insuranceNumber,
      personalId: c.personalId,
      fullName: c.fullName,
      cardNumber: `${pick(r, GROUPS)}${benefitLevel}${province}${insuranceNumber}`,
      validFrom: `${fromYear}-01-01`,
      validTo: expired ? `${fromYear}-06-30` : `${fromYear + 1}-12-31`,
      clinicCode: `${c.provinceCode.slice(1)}${String(1 + Math.floor(r() * 300)).padStart(3, '0')}`,
      clinicName: `${pick(r, CLINICS)} ${PROVINCES.find((p) => p.code === c.provinceCode)?.name ?? ''}`.trim(),
      benefitLevel,
    };
  }
}
