"""Words the demo dataset is written with: product templates, names of people and firms,
province weights, identifiers. Plain data and small pure functions; no Django.

Everything here is invented to look plausible, not taken from the real registry. Where a
template or a figure leans on a public fact (the share of Hà Nội, the real geographical
indications), a comment says so.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from stdnum import ean
from stdnum.vn import mst

# ---------------------------------------------------------------------------------------------
# Regions of the old (63-province) map, which decide what is made where
# ---------------------------------------------------------------------------------------------

# N Red River delta, M northern mountains and midlands, C central coast, H central highlands,
# S south-east, D Mekong delta. Keyed by the statistics office's code of the *old* province.
REGION = {
    **dict.fromkeys(["01", "22", "26", "27", "30", "31", "33", "34", "35", "36", "37"], "N"),
    **dict.fromkeys(
        ["02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "24", "25"], "M"
    ),
    **dict.fromkeys(
        ["38", "40", "42", "44", "45", "46", "48", "49", "51", "52", "54", "56", "58", "60"], "C"
    ),
    **dict.fromkeys(["62", "64", "66", "67", "68"], "H"),
    **dict.fromkeys(["70", "72", "74", "75", "77", "79"], "S"),
    **dict.fromkeys(["80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"], "D"),
}
# Old provinces with a sea coast (fish sauce, dried squid, prawns...).
COASTAL = frozenset(
    [
        "22",
        "31",
        "34",
        "36",
        "37",
        "38",
        "40",
        "42",
        "44",
        "45",
        "46",
        "48",
        "49",
        "51",
        "52",
        "54",
        "56",
        "58",
        "60",
        "77",
        "79",
        "82",
        "83",
        "84",
        "91",
        "94",
        "95",
        "96",
    ]
)
# Share of legal representatives from an ethnic minority, by region (about 10% overall).
MINORITY_SHARE = {"M": 0.36, "H": 0.22, "D": 0.06, "C": 0.04, "N": 0.01, "S": 0.02}

# Weight of each current province in the national count of OCOP products. Hà Nội had 3,463 of
# 18,243 products in December 2025 (nhandan.vn, shared/domain/OCOP.md §7.2), about 19%; the
# others are rough guesses from the regional shares of December 2024 (Red River delta 28.8%,
# Mekong 18.9%, northern mountains 17.1%, south-east 5.9%), merged provinces counting for the
# old provinces they absorbed, mountain provinces smaller.
PROVINCE_WEIGHTS = {
    "01": 17.5,  # Hà Nội
    "04": 1.0,  # Cao Bằng
    "08": 2.5,  # Tuyên Quang (+ Hà Giang)
    "11": 0.8,  # Điện Biên
    "12": 0.7,  # Lai Châu
    "14": 1.5,  # Sơn La
    "15": 2.2,  # Lào Cai (+ Yên Bái)
    "19": 2.2,  # Thái Nguyên (+ Bắc Kạn)
    "20": 1.3,  # Lạng Sơn
    "22": 2.5,  # Quảng Ninh
    "24": 3.0,  # Bắc Ninh (+ Bắc Giang)
    "25": 3.5,  # Phú Thọ (+ Vĩnh Phúc, Hòa Bình)
    "31": 2.8,  # Hải Phòng (+ Hải Dương)
    "33": 2.6,  # Hưng Yên (+ Thái Bình)
    "37": 3.0,  # Ninh Bình (+ Hà Nam, Nam Định)
    "38": 3.0,  # Thanh Hóa
    "40": 3.0,  # Nghệ An
    "42": 2.0,  # Hà Tĩnh
    "44": 2.0,  # Quảng Trị (+ Quảng Bình)
    "46": 1.2,  # Huế
    "48": 2.5,  # Đà Nẵng (+ Quảng Nam)
    "51": 1.8,  # Quảng Ngãi (+ Kon Tum)
    "52": 2.4,  # Gia Lai (+ Bình Định)
    "56": 1.5,  # Khánh Hòa (+ Ninh Thuận)
    "66": 2.0,  # Đắk Lắk (+ Phú Yên)
    "68": 2.8,  # Lâm Đồng (+ Đắk Nông, Bình Thuận)
    "75": 1.8,  # Đồng Nai (+ Bình Phước)
    "79": 2.0,  # Hồ Chí Minh (+ Bình Dương, Bà Rịa - Vũng Tàu)
    "80": 2.5,  # Tây Ninh (+ Long An)
    "82": 3.2,  # Đồng Tháp (+ Tiền Giang)
    "86": 3.5,  # Vĩnh Long (+ Bến Tre, Trà Vinh)
    "91": 3.0,  # An Giang (+ Kiên Giang)
    "92": 2.5,  # Cần Thơ (+ Sóc Trăng, Hậu Giang)
    "96": 1.6,  # Cà Mau (+ Bạc Liêu)
}


def province_shares(codes) -> dict[str, float]:
    """Share of the national dataset for each current province code (summing to 1).

    A province missing from the table still gets a small positive share, so a new code in the
    gazetteer never leaves a province empty.
    """
    fallback = min(PROVINCE_WEIGHTS.values())
    weights = {code: PROVINCE_WEIGHTS.get(code, fallback) for code in codes}
    total = sum(weights.values())
    return {code: weight / total for code, weight in weights.items()}


def apportion(total: int, shares: dict[str, float], minimum: int = 1) -> dict[str, int]:
    """Split ``total`` into whole numbers proportional to ``shares`` (largest remainder), then
    lift any key below ``minimum`` (when the total allows it) at the expense of the key most
    above its exact share. Deterministic: ties go to the earlier key."""
    keys = list(shares)
    exact = {key: shares[key] * total for key in keys}
    counts = {key: int(exact[key]) for key in keys}
    left = total - sum(counts.values())
    by_remainder = sorted(keys, key=lambda key: (-(exact[key] - counts[key]), keys.index(key)))
    for key in by_remainder[:left]:
        counts[key] += 1
    if total >= minimum * len(keys):
        for key in keys:
            while counts[key] < minimum:
                donor = max(
                    (k for k in keys if counts[k] > minimum),
                    key=lambda k: (counts[k] - exact[k], -keys.index(k)),
                )
                counts[donor] -= 1
                counts[key] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# Product templates
# ---------------------------------------------------------------------------------------------


class Template(NamedTuple):
    key: str
    vi: str  # "{place}" is replaced by the short name of the producer's commune or district
    en: str
    set148: str  # product set code in QĐ 148 (taxonomy "148")
    set1048: str  # product set code in QĐ 1048 ("" when 1048 had no such set: ornamentals)
    noun: str  # what a household workshop "makes": "Cơ sở sản xuất {noun} {person}"
    where: str = ""  # region letters (see REGION) and K for coastal; "" = anywhere


GROUP_OF_SECTION = {
    "I": "food",
    "II": "drinks",
    "III": "herbal",
    "IV": "handicraft",
    "V": "ornamental",
    "VI": "tourism",
}


def group_of_set(code: str) -> str:
    return GROUP_OF_SECTION[code.split(".")[0]]


# Share of each canonical group among products (the brief: food ~68%, drinks ~9%, ...).
GROUP_WEIGHTS = {
    "food": 68,
    "drinks": 9,
    "herbal": 8,
    "handicraft": 9,
    "ornamental": 3,
    "tourism": 3,
}

T = Template
TEMPLATES: tuple[Template, ...] = (
    # --- I.1.a fresh fruit and vegetables
    T("buoi_da_xanh", "Bưởi da xanh {place}", "{place} green-skin pomelo", "I.1.a", "1.1.a", "bưởi", "DS"),
    T("xoai_cat", "Xoài cát Hòa Lộc {place}", "{place} Hoa Loc mango", "I.1.a", "1.1.a", "xoài", "D"),
    T("vai_thieu", "Vải thiều {place}", "{place} lychee", "I.1.a", "1.1.a", "vải thiều", "NM"),
    T("nhan_long", "Nhãn lồng {place}", "{place} longan", "I.1.a", "1.1.a", "nhãn", "NM"),
    T("cam_sanh", "Cam sành {place}", "{place} king orange", "I.1.a", "1.1.a", "cam", "MDC"),
    T("buoi_dien", "Bưởi Diễn {place}", "{place} Dien pomelo", "I.1.a", "1.1.a", "bưởi", "NM"),
    T("sau_rieng", "Sầu riêng Ri6 {place}", "{place} Ri6 durian", "I.1.a", "1.1.a", "sầu riêng", "DSH"),
    T(
        "thanh_long",
        "Thanh long ruột đỏ {place}",
        "{place} red dragon fruit",
        "I.1.a",
        "1.1.a",
        "thanh long",
        "DSC",
    ),
    T("chuoi_tieu", "Chuối tiêu hồng {place}", "{place} pink banana", "I.1.a", "1.1.a", "chuối", "NM"),
    T("dua_luoi", "Dưa lưới {place}", "{place} cantaloupe", "I.1.a", "1.1.a", "dưa lưới"),
    T("rau_an_toan", "Rau an toàn {place}", "{place} safe vegetables", "I.1.a", "1.1.a", "rau an toàn"),
    T("khoai_lang", "Khoai lang mật {place}", "{place} honey sweet potato", "I.1.a", "1.1.a", "khoai lang"),
    T(
        "hong_khong_hat",
        "Hồng không hạt {place}",
        "{place} seedless persimmon",
        "I.1.a",
        "1.1.a",
        "hồng",
        "MH",
    ),
    T("man_hau", "Mận hậu {place}", "{place} plum", "I.1.a", "1.1.a", "mận", "M"),
    T("na_dai", "Na dai {place}", "{place} custard apple", "I.1.a", "1.1.a", "na", "M"),
    T("mang_cut", "Măng cụt {place}", "{place} mangosteen", "I.1.a", "1.1.a", "măng cụt", "DS"),
    T("chanh_leo", "Chanh leo {place}", "{place} passion fruit", "I.1.a", "1.1.a", "chanh leo", "MH"),
    # --- I.1.b fresh meat, fish, eggs, milk
    T("trung_ga_ac", "Trứng gà ác {place}", "{place} black-chicken eggs", "I.1.b", "1.1.b", "trứng gà"),
    T("ga_doi", "Gà đồi {place}", "{place} hill chicken", "I.1.b", "1.1.b", "gà đồi", "MNC"),
    T("sua_bo", "Sữa bò tươi {place}", "{place} fresh cow's milk", "I.1.b", "1.1.b", "sữa bò", "MNH"),
    T("tom_su", "Tôm sú {place}", "{place} tiger prawns", "I.1.b", "1.1.b", "tôm", "K"),
    T("lon_den", "Lợn đen {place}", "{place} black pig", "I.1.b", "1.1.b", "thịt lợn", "M"),
    # --- I.2.a rice and cereals
    T("gao_st25", "Gạo ST25 {place}", "{place} ST25 rice", "I.2.a", "1.2.a", "gạo", "D"),
    T("gao_tam", "Gạo tám thơm {place}", "{place} fragrant Tam rice", "I.2.a", "1.2.a", "gạo", "N"),
    T(
        "gao_nep",
        "Gạo nếp cái hoa vàng {place}",
        "{place} yellow-flower glutinous rice",
        "I.2.a",
        "1.2.a",
        "gạo nếp",
        "NM",
    ),
    T("gao_lut", "Gạo lứt {place}", "{place} brown rice", "I.2.a", "1.2.a", "gạo", "NDC"),
    T("gao_seng_cu", "Gạo Séng Cù {place}", "{place} Seng Cu rice", "I.2.a", "1.2.a", "gạo", "M"),
    # --- I.2.b honey and other farm foods
    T(
        "mat_ong_rung",
        "Mật ong rừng {place}",
        "{place} wild forest honey",
        "I.2.b",
        "1.2.b",
        "mật ong",
        "MHC",
    ),
    T(
        "mat_ong_nhan",
        "Mật ong hoa nhãn {place}",
        "{place} longan flower honey",
        "I.2.b",
        "1.2.b",
        "mật ong",
        "NMD",
    ),
    T("tinh_bot_nghe", "Tinh bột nghệ {place}", "{place} turmeric starch", "I.2.b", "1.2.b", "tinh bột nghệ"),
    # --- I.3.a fast food
    T("cha_gio", "Chả giò {place}", "{place} spring rolls", "I.3.a", "1.3.a", "chả giò", "DSC"),
    T("nem_ran", "Nem rán {place}", "{place} fried spring rolls", "I.3.a", "1.3.a", "nem rán", "N"),
    # --- I.3.b processed from rice and cereals
    T(
        "banh_trang",
        "Bánh tráng phơi sương {place}",
        "Sun-dried rice paper from {place}",
        "I.3.b",
        "1.3.b",
        "bánh tráng",
        "SDC",
    ),
    T("banh_da_nem", "Bánh đa nem {place}", "{place} rice paper", "I.3.b", "1.3.b", "bánh đa", "N"),
    T("mien_dong", "Miến dong {place}", "{place} arrowroot vermicelli", "I.3.b", "1.3.b", "miến dong", "NM"),
    T("bun_kho", "Bún khô {place}", "{place} dried rice vermicelli", "I.3.b", "1.3.b", "bún"),
    T(
        "banh_chung",
        "Bánh chưng {place}",
        "{place} square sticky rice cake",
        "I.3.b",
        "1.3.b",
        "bánh chưng",
        "NM",
    ),
    T("com", "Cốm {place}", "{place} green rice flakes", "I.3.b", "1.3.b", "cốm", "N"),
    T("banh_pia", "Bánh pía {place}", "{place} pia cake", "I.3.b", "1.3.b", "bánh pía", "D"),
    T("banh_gai", "Bánh gai {place}", "{place} ramie leaf cake", "I.3.b", "1.3.b", "bánh gai", "NC"),
    T("pho_kho", "Phở khô {place}", "{place} dried pho noodles", "I.3.b", "1.3.b", "phở khô", "NM"),
    # --- I.3.c processed from fruit, vegetables, nuts
    T(
        "hat_dieu",
        "Hạt điều rang muối {place}",
        "{place} salted roasted cashews",
        "I.3.c",
        "1.3.c",
        "hạt điều",
        "SHC",
    ),
    T("mut_gung", "Mứt gừng {place}", "{place} candied ginger", "I.3.c", "1.3.c", "mứt"),
    T("keo_dua", "Kẹo dừa {place}", "{place} coconut candy", "I.3.c", "1.3.c", "kẹo dừa", "D"),
    T("chuoi_say", "Chuối sấy {place}", "{place} dried banana", "I.3.c", "1.3.c", "chuối sấy"),
    T("mang_kho", "Măng khô {place}", "{place} dried bamboo shoots", "I.3.c", "1.3.c", "măng khô", "MHC"),
    T("mit_say", "Mít sấy {place}", "{place} dried jackfruit", "I.3.c", "1.3.c", "mít sấy", "DSH"),
    T("keo_lac", "Kẹo lạc {place}", "{place} peanut candy", "I.3.c", "1.3.c", "kẹo lạc", "NC"),
    T("o_mai", "Ô mai {place}", "{place} salted apricots", "I.3.c", "1.3.c", "ô mai", "N"),
    # --- I.3.d processed from meat, fish, honey...
    T("gio_cha", "Giò chả {place}", "{place} pork roll", "I.3.d", "1.3.d", "giò chả", "NC"),
    T("lap_xuong", "Lạp xưởng {place}", "{place} Chinese-style sausage", "I.3.d", "1.3.d", "lạp xưởng", "DS"),
    T("nem_chua", "Nem chua {place}", "{place} fermented pork rolls", "I.3.d", "1.3.d", "nem chua", "CN"),
    T(
        "trau_gac_bep",
        "Thịt trâu gác bếp {place}",
        "{place} smoked buffalo meat",
        "I.3.d",
        "1.3.d",
        "thịt gác bếp",
        "M",
    ),
    T("ca_kho", "Cá khô {place}", "{place} dried fish", "I.3.d", "1.3.e", "cá khô", "K"),
    T("muc_mot_nang", "Mực một nắng {place}", "{place} sun-dried squid", "I.3.d", "1.3.e", "mực", "K"),
    T("cha_muc", "Chả mực {place}", "{place} squid cake", "I.3.d", "1.3.e", "chả mực", "K"),
    T("tom_kho", "Tôm khô {place}", "{place} dried shrimp", "I.3.d", "1.3.e", "tôm khô", "K"),
    T(
        "banh_phong_tom",
        "Bánh phồng tôm {place}",
        "{place} prawn crackers",
        "I.3.d",
        "1.3.e",
        "bánh phồng tôm",
        "DK",
    ),
    T("kho_ca_loc", "Khô cá lóc {place}", "{place} dried snakehead fish", "I.3.d", "1.3.e", "khô cá", "D"),
    # --- I.4.a sauces
    T("nuoc_mam", "Nước mắm {place}", "{place} fish sauce", "I.4.a", "1.4.a", "nước mắm", "K"),
    T(
        "nuoc_mam_cot",
        "Nước mắm cốt cá cơm {place}",
        "{place} first-press anchovy fish sauce",
        "I.4.a",
        "1.4.a",
        "nước mắm",
        "K",
    ),
    T("mam_tom", "Mắm tôm {place}", "{place} shrimp paste", "I.4.a", "1.4.a", "mắm tôm", "KN"),
    T("tuong_ban", "Tương bần {place}", "{place} fermented soybean sauce", "I.4.a", "1.4.a", "tương", "NM"),
    T("mam_ca_linh", "Mắm cá linh {place}", "{place} fermented linh fish", "I.4.a", "1.4.a", "mắm", "D"),
    # --- I.4.b other spices
    T("tieu_den", "Tiêu đen {place}", "{place} black pepper", "I.4.b", "1.4.b", "hồ tiêu", "HSC"),
    T("muoi_tom", "Muối tôm {place}", "{place} shrimp salt", "I.4.b", "1.4.b", "muối tôm", "HSC"),
    T("toi_co_don", "Tỏi cô đơn {place}", "{place} single-clove garlic", "I.4.b", "1.4.b", "tỏi", "CM"),
    T("mac_khen", "Hạt mắc khén {place}", "{place} mac khen pepper", "I.4.b", "1.4.b", "mắc khén", "M"),
    # --- I.5 tea
    T("che_shan", "Chè shan tuyết {place}", "{place} Shan Tuyet tea", "I.5.a", "1.5.a", "chè", "M"),
    T("che_xanh", "Chè xanh {place}", "{place} green tea", "I.5.a", "1.5.a", "chè", "MNH"),
    T("tra_o_long", "Trà ô long {place}", "{place} oolong tea", "I.5.a", "1.5.a", "trà", "HM"),
    T(
        "tra_hoa_vang",
        "Trà hoa vàng {place}",
        "{place} golden camellia tea",
        "I.5.b",
        "1.5.b",
        "trà hoa vàng",
        "M",
    ),
    T("tra_hoa_cuc", "Trà hoa cúc {place}", "{place} chrysanthemum tea", "I.5.b", "1.5.b", "trà"),
    T("tra_mang_cau", "Trà mãng cầu {place}", "{place} soursop tea", "I.5.b", "1.5.b", "trà", "DS"),
    # --- I.6 coffee and cocoa
    T("cafe_robusta", "Cà phê Robusta {place}", "{place} Robusta coffee", "I.6", "1.6", "cà phê", "HS"),
    T("cafe_arabica", "Cà phê Arabica {place}", "{place} Arabica coffee", "I.6", "1.6", "cà phê", "HM"),
    T("bot_ca_cao", "Bột ca cao {place}", "{place} cocoa powder", "I.6", "1.6", "ca cao", "DSH"),
    # --- II.1 alcoholic drinks
    T(
        "ruou_ngo",
        "Rượu ngô men lá {place}",
        "{place} leaf-yeast corn liquor",
        "II.1.a",
        "2.1.a",
        "rượu",
        "M",
    ),
    T(
        "ruou_nep",
        "Rượu nếp cái hoa vàng {place}",
        "{place} glutinous rice liquor",
        "II.1.a",
        "2.1.a",
        "rượu",
        "NM",
    ),
    T("ruou_gao", "Rượu gạo {place}", "{place} rice liquor", "II.1.a", "2.1.a", "rượu"),
    T("ruou_can", "Rượu cần {place}", "{place} jar wine", "II.1.b", "2.1.b", "rượu cần", "MH"),
    T("ruou_sim", "Rượu sim {place}", "{place} rose myrtle wine", "II.1.b", "2.1.b", "rượu sim", "KMC"),
    T("ruou_mo", "Rượu mơ {place}", "{place} apricot liqueur", "II.1.b", "2.1.b", "rượu mơ", "NM"),
    # --- II.2 water and soft drinks
    T(
        "nuoc_khoang",
        "Nước khoáng thiên nhiên {place}",
        "{place} natural mineral water",
        "II.2.a",
        "2.2.a",
        "nước khoáng",
    ),
    T(
        "nuoc_dong_chai",
        "Nước uống đóng chai {place}",
        "{place} bottled drinking water",
        "II.2.a",
        "2.2.a",
        "nước uống",
    ),
    T(
        "chanh_day",
        "Nước cốt chanh dây {place}",
        "{place} passion fruit concentrate",
        "II.2.b",
        "2.2.b",
        "chanh dây",
        "HMC",
    ),
    T("tra_atiso", "Trà atiso {place}", "{place} artichoke tea", "II.2.b", "2.2.b", "atiso", "HM"),
    T(
        "nuoc_dua",
        "Nước dừa đóng chai {place}",
        "{place} bottled coconut water",
        "II.2.b",
        "2.2.b",
        "nước dừa",
        "D",
    ),
    T("nuoc_yen", "Nước yến sào {place}", "{place} bird's nest drink", "II.2.b", "2.2.b", "yến sào", "KCD"),
    # --- III herbal
    T("cao_atiso", "Cao actiso {place}", "{place} artichoke extract", "III.1", "3.1", "cao actiso", "HM"),
    T(
        "tra_dinh_lang",
        "Trà túi lọc đinh lăng {place}",
        "{place} polyscias tea bags",
        "III.1",
        "3.1",
        "trà thảo dược",
    ),
    T(
        "cao_ca_gai_leo",
        "Cao cà gai leo {place}",
        "{place} Solanum procumbens extract",
        "III.1",
        "3.1",
        "cao dược liệu",
    ),
    T("dong_trung", "Đông trùng hạ thảo {place}", "{place} cordyceps", "III.1", "3.1", "đông trùng hạ thảo"),
    T("xa_phong", "Xà phòng thảo dược {place}", "{place} herbal soap", "III.2", "3.2", "xà phòng"),
    T("dau_goi", "Dầu gội bồ kết {place}", "{place} soap-bean shampoo", "III.2", "3.2", "dầu gội"),
    T(
        "tam_nguoi_dao",
        "Nước tắm thảo dược người Dao {place}",
        "{place} Dao herbal bath",
        "III.2",
        "3.2",
        "thuốc tắm",
        "M",
    ),
    T(
        "tinh_dau_sa",
        "Tinh dầu sả chanh {place}",
        "{place} lemongrass essential oil",
        "III.3",
        "3.4",
        "tinh dầu",
    ),
    T("tinh_dau_tram", "Tinh dầu tràm {place}", "{place} cajeput oil", "III.3", "3.4", "tinh dầu", "CD"),
    T("tinh_dau_que", "Tinh dầu quế {place}", "{place} cinnamon oil", "III.3", "3.4", "tinh dầu quế", "MC"),
    T("hoa_hoi", "Hoa hồi khô {place}", "{place} dried star anise", "III.3", "3.4", "hoa hồi", "M"),
    T("sam_day", "Sâm dây {place}", "{place} codonopsis root", "III.3", "3.4", "sâm", "MHC"),
    # --- IV handicraft
    T(
        "may_tre",
        "Mây tre đan xuất khẩu {place}",
        "{place} export rattan and bamboo ware",
        "IV.1",
        "5.2",
        "mây tre đan",
    ),
    T("gom", "Gốm men rạn {place}", "{place} crackle-glaze ceramics", "IV.1", "5.1", "gốm", "NCDS"),
    T("chieu_coi", "Chiếu cói {place}", "{place} sedge mats", "IV.1", "5.2", "chiếu cói", "NCD"),
    T("non_la", "Nón lá {place}", "{place} conical hats", "IV.1", "5.2", "nón lá", "NC"),
    T(
        "tranh_theu",
        "Tranh thêu tay {place}",
        "{place} hand-embroidered pictures",
        "IV.1",
        "5.1",
        "tranh thêu",
        "NC",
    ),
    T("do_go", "Đồ gỗ mỹ nghệ {place}", "{place} fine woodwork", "IV.1", "5.1", "đồ gỗ"),
    T("son_mai", "Sơn mài {place}", "{place} lacquerware", "IV.1", "5.1", "sơn mài", "NS"),
    T("luc_binh", "Lục bình đan {place}", "{place} water hyacinth baskets", "IV.1", "5.2", "lục bình", "DN"),
    T("tho_cam", "Thổ cẩm dệt tay {place}", "{place} hand-woven brocade", "IV.2", "4.1", "thổ cẩm", "MHC"),
    T("lua_to_tam", "Lụa tơ tằm {place}", "{place} mulberry silk", "IV.2", "4.1", "lụa", "NCH"),
    T("khan_tho_cam", "Khăn choàng thổ cẩm {place}", "{place} brocade scarf", "IV.2", "4.1", "thổ cẩm", "MH"),
    # --- V ornamentals (no 1048 set: 148 added them)
    T("dao_canh", "Đào thế {place}", "{place} bonsai peach blossom", "V.1", "", "đào cảnh", "NM"),
    T("lan_ho_diep", "Lan hồ điệp {place}", "{place} moth orchids", "V.1", "", "hoa lan"),
    T("hoa_cuc", "Hoa cúc mâm xôi {place}", "{place} button chrysanthemums", "V.1", "", "hoa", "DSH"),
    T("mai_vang", "Mai vàng {place}", "{place} yellow apricot blossom", "V.1", "", "mai vàng", "DSC"),
    T("quat_canh", "Quất cảnh {place}", "{place} ornamental kumquat", "V.2", "", "quất cảnh", "N"),
    T("bonsai_sanh", "Bonsai sanh {place}", "{place} Ficus bonsai", "V.2", "", "cây cảnh"),
    T("ca_koi", "Cá Koi {place}", "{place} koi carp", "V.3", "", "cá cảnh"),
    # --- VI tourism
    T(
        "du_lich_ban",
        "Điểm du lịch cộng đồng bản {place}",
        "{place} village community tourism",
        "VI.1",
        "6.1",
        "du lịch",
        "MH",
    ),
    T("homestay", "Homestay làng nghề {place}", "{place} craft village homestay", "VI.1", "6.1", "du lịch"),
    T("sinh_thai", "Điểm du lịch sinh thái {place}", "{place} eco-tourism site", "VI.1", "6.1", "du lịch"),
    T("miet_vuon", "Du lịch miệt vườn {place}", "{place} orchard tourism", "VI.1", "6.1", "du lịch", "D"),
)
del T

# Words that tell two products of the same name apart, with their English.
QUALIFIERS = {
    "food": [
        ("hữu cơ", "organic"),
        ("loại đặc biệt", "premium grade"),
        ("truyền thống", "traditional"),
        ("gia truyền", "family recipe"),
        ("túi 500g", "500 g bag"),
        ("hộp quà", "gift box"),
    ],
    "drinks": [("chai 500ml", "500 ml bottle"), ("thượng hạng", "premium"), ("hộp quà", "gift box")],
    "herbal": [
        ("loại đặc biệt", "premium grade"),
        ("hộp 20 gói", "box of 20"),
        ("chai 100ml", "100 ml bottle"),
    ],
    "handicraft": [("cao cấp", "fine"), ("truyền thống", "traditional"), ("bộ quà tặng", "gift set")],
    "ornamental": [("cao cấp", "select"), ("chậu lớn", "large pot")],
    "tourism": [("trải nghiệm", "experience"), ("nghỉ dưỡng", "retreat")],
}

# Real geographical indications, attached to a few products of the matching template made in
# the old province that holds the indication. (GI titles are public; numbers here are invented.)
GEOGRAPHICAL_INDICATIONS = {
    ("91", "nuoc_mam"): "Nước mắm Phú Quốc",
    ("36", "gao_tam"): "Gạo tám xoan Hải Hậu",
    ("14", "che_shan"): "Chè shan tuyết Mộc Châu",
    ("66", "cafe_robusta"): "Cà phê Buôn Ma Thuột",
    ("30", "vai_thieu"): "Vải thiều Thanh Hà",
    ("24", "vai_thieu"): "Vải thiều Lục Ngạn",
    ("82", "xoai_cat"): "Xoài cát Hòa Lộc",
    ("19", "che_xanh"): "Chè Tân Cương Thái Nguyên",
    ("33", "nhan_long"): "Nhãn lồng Hưng Yên",
    ("51", "toi_co_don"): "Tỏi Lý Sơn",
}

# Who issues food-safety certificates, by the lead sector of the product set.
FOOD_SAFETY_ISSUERS = {
    "NN": "Chi cục Quản lý chất lượng Nông lâm sản và Thủy sản",
    "YT": "Sở Y tế",
    "CT": "Sở Công Thương",
}
FOOD_SAFETY_SECTOR = {
    "I.3.a": "YT",
    "II.1.a": "CT",
    "II.1.b": "CT",
    "II.2.a": "YT",
    "II.2.b": "CT",
    "III.1": "YT",
}
CERTIFIERS = [
    "Trung tâm Chứng nhận Phù hợp (QUACERT)",
    "Công ty Cổ phần Chứng nhận và Giám định VinaCert",
    "Trung tâm Kiểm nghiệm và Chứng nhận chất lượng TQC",
    "Công ty TNHH Chứng nhận và Kiểm định Vinacontrol",
]
VIETGAP_SETS = {"I.1.a", "I.1.b", "I.2.a", "I.2.b", "I.5.a", "I.6"}

REVOCATION_REASONS = [
    "Vi phạm quy định an toàn thực phẩm",
    "Cơ sở ngừng sản xuất",
    "Không duy trì chất lượng như khi được công nhận",
    "Sản phẩm không còn được sản xuất, kinh doanh",
    "Không đáp ứng tiêu chí bắt buộc hạng 3 sao khi đánh giá lại",
]
REVOCATION_NOT_RERATED = "Không đánh giá lại sau 36 tháng"

# ---------------------------------------------------------------------------------------------
# People and firms
# ---------------------------------------------------------------------------------------------

# Family names with rough frequencies (Nguyễn is about four in ten).
FAMILY_NAMES = {
    "Nguyễn": 38,
    "Trần": 11,
    "Lê": 9.5,
    "Phạm": 7,
    "Hoàng": 5,
    "Huỳnh": 4,
    "Phan": 4.5,
    "Vũ": 3.9,
    "Võ": 3.9,
    "Đặng": 2.1,
    "Bùi": 2,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1,
    "Lý": 0.5,
}
_FAMILY_KEYS = list(FAMILY_NAMES)
_FAMILY_CUM = []
_running = 0.0
for _weight in FAMILY_NAMES.values():
    _running += _weight
    _FAMILY_CUM.append(_running)
del _running, _weight

MIDDLE_MALE = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thanh", "Xuân", "Ngọc"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Thùy", "Hồng", "Mỹ"]
GIVEN_MALE = [
    "Hùng",
    "Dũng",
    "Tuấn",
    "Minh",
    "Hải",
    "Nam",
    "Long",
    "Thắng",
    "Bình",
    "Cường",
    "Phúc",
    "Sơn",
    "Tâm",
    "Trung",
    "Hiếu",
    "Toàn",
    "Lợi",
    "Tài",
    "Hòa",
    "Quý",
    "Khoa",
    "Thành",
    "Đạt",
    "Vinh",
    "Hưng",
    "Quang",
    "Tùng",
    "Phong",
    "Nghĩa",
    "Thịnh",
    "Lộc",
    "Tín",
    "Danh",
    "Hậu",
]
GIVEN_FEMALE = [
    "Lan",
    "Hương",
    "Hoa",
    "Mai",
    "Hạnh",
    "Nga",
    "Thủy",
    "Linh",
    "Trang",
    "Huyền",
    "Phượng",
    "Yến",
    "Nhung",
    "Loan",
    "Thảo",
    "Hằng",
    "Oanh",
    "Xuân",
    "Liên",
    "Ngọc",
    "Dung",
    "Hiền",
    "Vân",
    "Tuyết",
    "Bích",
    "Hà",
    "Trinh",
    "Lý",
    "Diệu",
    "Nhàn",
]

# Ethnic-minority names, by region of the old map.
MINORITY_NAMES = {
    "M": {
        "family": ["Lò", "Lường", "Quàng", "Cầm", "Nông", "Ma", "Triệu", "Bế", "Lục", "Hà"],
        "hmong_family": ["Giàng", "Vàng", "Sùng", "Thào", "Mùa", "Lầu"],
        "male": ["Pọm", "Khăm", "Piêng", "Xuân", "Ươi", "Sơn", "Thắng", "Chiến"],
        "female": ["Ươi", "Xuân", "Lả", "Ngọc", "Piên", "Hoa", "Thơm", "Lan"],
        "hmong_male": ["Páo", "Dính", "Chứ", "Sính", "Súa", "Tủa", "Pó"],
        "hmong_female": ["Mỷ", "Dợ", "Pàng", "Mai", "Sy", "Chía"],
    },
    "H": {
        "clans": ["Niê", "Mlô", "Êban", "Ktla", "Byă", "Ayun", "Adrơng"],
        "male": ["Khu", "Bhin", "Jut", "Thuột", "Mơ", "Blang", "Ngọc", "Sơn"],
        "female": ["Hen", "Zun", "Bia", "Lan", "Nhi", "Yên", "Vin"],
    },
    "D": {
        "family": ["Thạch", "Danh", "Sơn", "Kim", "Lâm", "Chau"],
        "given": ["Sa Rinh", "Sóc", "Phone", "Kha", "Sa Ly", "Út", "Mến", "Ri Na", "Sóc Khum", "Thol"],
    },
}

BRAND_FIRST = [
    "Phúc",
    "Minh",
    "Hưng",
    "An",
    "Tân",
    "Thiên",
    "Hoàng",
    "Đại",
    "Kim",
    "Ngọc",
    "Bảo",
    "Gia",
    "Việt",
    "Trường",
    "Thành",
    "Hải",
    "Nam",
    "Đông",
    "Phú",
    "Thịnh",
    "Hòa",
    "Quang",
    "Huy",
    "Tâm",
    "Sao",
    "Lộc",
    "Vạn",
    "Hồng",
    "Thái",
    "Hữu",
]
BRAND_SECOND = [
    "Lộc",
    "Phát",
    "Thịnh",
    "Khang",
    "Long",
    "Phúc",
    "An",
    "Việt",
    "Nguyên",
    "Tín",
    "Hưng",
    "Thành",
    "Minh",
    "Đạt",
    "Bình",
    "Sơn",
    "Hà",
    "Vượng",
    "Tiến",
    "Mai",
    "Anh",
    "Gia",
    "Lợi",
    "Xuân",
]

ENTERPRISE_SECTORS = {
    "food": ["Thực phẩm", "Nông sản", "Chế biến Nông sản", "Thực phẩm sạch", "Nông nghiệp Công nghệ cao"],
    "drinks": ["Đồ uống", "Rượu", "Nước giải khát"],
    "herbal": ["Dược liệu", "Dược phẩm", "Thảo dược"],
    "handicraft": ["Thủ công Mỹ nghệ", "Mây tre đan", "Xuất nhập khẩu Thủ công"],
    "ornamental": ["Sinh vật cảnh", "Hoa và Cây cảnh"],
    "tourism": ["Du lịch", "Du lịch Sinh thái"],
}
COOPERATIVE_SECTORS = {
    "food": [
        "Nông nghiệp {place}",
        "Dịch vụ Nông nghiệp {place}",
        "Nông nghiệp sạch {place}",
        "Sản xuất và Tiêu thụ {noun} {place}",
        "{Noun} {place}",
        "Nông nghiệp Dịch vụ Tổng hợp {place}",
    ],
    "drinks": ["{Noun} {place}", "Sản xuất {noun} {place}", "Dịch vụ Nông nghiệp {place}"],
    "herbal": ["Dược liệu {place}", "Nông nghiệp và Dược liệu {place}", "{Noun} {place}"],
    "handicraft": ["{Noun} {place}", "Thủ công Mỹ nghệ {place}", "Làng nghề {noun} {place}"],
    "ornamental": ["Hoa cây cảnh {place}", "Sinh vật cảnh {place}", "{Noun} {place}"],
    "tourism": ["Du lịch Cộng đồng {place}", "Dịch vụ Du lịch {place}", "Du lịch Sinh thái {place}"],
}

# Prefixes of enterprise codes (mã số doanh nghiệp) by the old province's tax department, as
# commonly seen on registrations; plausible rather than verified (shared/domain/OCOP.md §6: [U]).
TAX_PREFIX = {
    "01": "01", "31": "02", "79": "03", "48": "04", "36": "06", "35": "07", "30": "08", "33": "09",
    "34": "10", "80": "11", "82": "12", "83": "13", "87": "14", "86": "15", "89": "16", "91": "17",
    "92": "18", "95": "19", "96": "20", "84": "21", "94": "22", "27": "23", "24": "24", "26": "25",
    "25": "26", "37": "27", "38": "28", "40": "29", "42": "30", "44": "31", "45": "32", "46": "33",
    "60": "34", "77": "35", "75": "36", "74": "37", "70": "38", "72": "39", "49": "40", "52": "41",
    "56": "42", "51": "43", "54": "44", "58": "45", "19": "46", "06": "47", "04": "48", "20": "49",
    "08": "50", "02": "51", "15": "52", "10": "53", "17": "54", "14": "55", "12": "56", "22": "57",
    "68": "58", "64": "59", "66": "60", "62": "61", "11": "62", "93": "63", "67": "64",
}  # fmt: skip


def pick_family(rng: random.Random) -> str:
    return rng.choices(_FAMILY_KEYS, cum_weights=_FAMILY_CUM)[0]


def person_name(rng: random.Random, *, woman: bool, minority: bool, region: str) -> str:
    """A plausible full name. Minority names follow the naming customs of the region."""
    if minority:
        if region == "H":
            names = MINORITY_NAMES["H"]
            given = rng.choice(names["female"] if woman else names["male"])
            return f"{'H’' if woman else 'Y '}{given} {rng.choice(names['clans'])}"
        if region == "D":
            names = MINORITY_NAMES["D"]
            middle = " Thị" if woman else ""
            return f"{rng.choice(names['family'])}{middle} {rng.choice(names['given'])}"
        names = MINORITY_NAMES["M"]
        if rng.random() < 0.35:  # Hmong: "Giàng A Páo", "Sùng Thị Mỷ"
            given = rng.choice(names["hmong_female"] if woman else names["hmong_male"])
            return (
                f"{rng.choice(names['hmong_family'])} {'Thị' if woman else rng.choice(['A', 'Seo'])} {given}"
            )
        given = rng.choice(names["female"] if woman else names["male"])
        return f"{rng.choice(names['family'])} {'Thị' if woman else 'Văn'} {given}"
    middle = rng.choice(MIDDLE_FEMALE if woman else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if woman else GIVEN_MALE)
    return f"{pick_family(rng)} {middle} {given}"


def brand_name(rng: random.Random) -> str:
    first = rng.choice(BRAND_FIRST)
    second = rng.choice(BRAND_SECOND)
    while second == first:
        second = rng.choice(BRAND_SECOND)
    return f"{first} {second}"


# ---------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------


def tax_code(rng: random.Random, prefix: str, taken: set[str]) -> str:
    """A fresh 10-digit enterprise code with a correct check digit, starting with ``prefix``."""
    while True:
        body = prefix + "".join(rng.choice("0123456789") for _ in range(9 - len(prefix)))
        if body[2:9] == "0000000":
            continue
        check = mst.calc_check_digit(body)
        if len(check) != 1:  # the weighted sum gives 10: no such code is issued
            continue
        code = body + check
        if code not in taken:
            taken.add(code)
            return code


def personal_number(rng: random.Random, place_code: str, taken: set[str]) -> str:
    """A 12-digit personal identification number (used as a household's tax code since 7/2025):
    3-digit place of birth, century-and-sex digit, 2-digit birth year, 6-digit serial."""
    while True:
        century_sex = rng.choice("0101010123")
        year = rng.randrange(50, 100) if century_sex in "01" else rng.randrange(0, 6)
        code = f"0{place_code}{century_sex}{year:02d}{rng.randrange(10**6):06d}"
        if code not in taken:
            taken.add(code)
            return code


def gtin13(company: str, item: int) -> str:
    """GTIN-13 from a Vietnamese company prefix (893 + company number) and an item reference,
    returned in the 14-digit form the registry stores."""
    body = f"{company}{item:0{12 - len(company)}d}"
    return "0" + body + ean.calc_check_digit(body)
