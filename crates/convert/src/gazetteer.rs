//! Built-in word lists for the name pass: a gazetteer of places that matter in 20th-century
//! diplomatic and military documents, and the head words of organisation names.
//!
//! Written for this project (facts, not copied data). Entries are lower case; the matcher
//! accepts only capitalised or all-capital forms in the text.

/// How a gazetteer entry may be written.
pub(crate) struct Form {
    /// Only the all-capital form is a place (`US`, not `us`).
    pub caps_only: bool,
}

/// Entries that are also ordinary English words in lower case: all capitals required.
const CAPS_ONLY: &[&str] = &["us", "uk", "ussr", "usa", "prc", "dprk", "rok", "gdr", "frg"];

const PLACES: &[&str] = &[
    // Countries and states (20th century names included).
    "afghanistan", "albania", "algeria", "angola", "argentina", "australia", "austria",
    "belgium", "bolivia", "brazil", "bulgaria", "burma", "byelorussia", "belorussia", "cambodia",
    "canada", "ceylon", "chile", "china", "colombia", "congo", "cuba", "czechoslovakia",
    "denmark", "egypt", "england", "estonia", "ethiopia", "finland", "france", "germany",
    "east germany", "west germany", "great britain", "britain", "greece", "guatemala",
    "hungary", "iceland", "india", "indochina", "indonesia", "iran", "persia", "iraq", "ireland",
    "israel", "italy", "japan", "jordan", "korea", "north korea", "south korea", "kazakhstan",
    "laos", "latvia", "lebanon", "libya", "lithuania", "manchuria", "mexico", "moldova",
    "mongolia", "outer mongolia", "inner mongolia", "morocco", "netherlands", "holland",
    "new zealand", "nicaragua", "nigeria", "norway", "pakistan", "palestine", "panama",
    "peru", "philippines", "poland", "portugal", "romania", "rumania", "russia", "saudi arabia",
    "scotland", "spain", "sudan", "sweden", "switzerland", "syria", "taiwan", "formosa",
    "thailand", "siam", "tibet", "tunisia", "turkey", "ukraine", "the ukraine", "united states",
    "united states of america", "america", "soviet union", "union of soviet socialist republics",
    "united kingdom", "uruguay", "venezuela", "vietnam", "viet nam", "north vietnam",
    "south vietnam", "yemen", "yugoslavia", "zaire", "georgia", "armenia", "azerbaijan",
    "uzbekistan", "turkmenistan", "kirghizia", "tajikistan", "us", "usa", "ussr", "uk", "prc",
    "dprk", "rok", "gdr", "frg", "europe", "asia", "africa", "latin america", "far east",
    "middle east", "near east", "east asia", "southeast asia", "western europe",
    "eastern europe", "balkans", "scandinavia", "siberia", "caucasus", "crimea", "ural",
    "urals", "kurile islands", "kuriles", "sakhalin", "kamchatka", "primorye", "xinjiang",
    "sinkiang", "hokkaido", "okinawa", "kashmir", "bengal", "punjab", "silesia", "prussia",
    "east prussia", "bavaria", "saxony", "transylvania", "bessarabia", "galicia", "karelia",
    "macedonia", "dalmatia", "bohemia", "moravia", "slovakia", "croatia", "serbia", "slovenia",
    "montenegro", "bosnia", "kosovo", "sinai", "gaza", "west bank", "suez", "suez canal",
    // Seas, oceans, rivers, straits.
    "pacific ocean", "atlantic ocean", "indian ocean", "arctic ocean", "pacific", "atlantic",
    "mediterranean", "black sea", "baltic sea", "baltic", "yellow sea", "sea of japan",
    "east china sea", "south china sea", "caspian sea", "red sea", "north sea",
    "taiwan strait", "formosa strait", "korea strait", "tsushima strait", "yalu", "yalu river",
    "tumen river", "amur", "amur river", "ussuri", "danube", "elbe", "oder", "vistula", "volga",
    "dnieper", "don", "neva", "rhine", "yangtze", "yellow river", "mekong", "bosporus",
    "dardanelles", "panama canal", "38th parallel",
    // Capitals and major cities.
    "moscow", "leningrad", "petrograd", "st. petersburg", "stalingrad", "volgograd", "kiev",
    "kyiv", "minsk", "riga", "tallinn", "vilnius", "tbilisi", "tiflis", "baku", "yerevan",
    "tashkent", "alma-ata", "almaty", "novosibirsk", "vladivostok", "khabarovsk", "irkutsk",
    "chita", "port arthur", "dalny", "dairen", "dalian", "lushun", "harbin", "mukden",
    "shenyang", "changchun", "andong", "antung", "dandong", "beijing", "peking", "peiping",
    "nanjing", "nanking", "shanghai", "canton", "guangzhou", "chongqing", "chungking", "wuhan",
    "tianjin", "tientsin", "qingdao", "tsingtao", "hong kong", "macao", "taipei", "lhasa",
    "pyongyang", "seoul", "incheon", "inchon", "chemulpo", "busan", "pusan", "daegu", "taegu",
    "daejeon", "taejon", "wonsan", "hamhung", "hungnam", "chongjin", "kaesong", "sinuiju",
    "kanggye", "panmunjom", "tokyo", "osaka", "kyoto", "nagasaki", "hiroshima", "yokohama",
    "hanoi", "saigon", "haiphong", "dien bien phu", "vientiane", "phnom penh", "rangoon",
    "bangkok", "jakarta", "djakarta", "manila", "singapore", "kuala lumpur", "delhi",
    "new delhi", "bombay", "calcutta", "madras", "karachi", "lahore", "kabul", "tehran",
    "teheran", "baghdad", "damascus", "beirut", "amman", "jerusalem", "tel aviv", "cairo",
    "alexandria", "tripoli", "tunis", "algiers", "rabat", "casablanca", "khartoum",
    "addis ababa", "ankara", "istanbul", "constantinople", "athens", "sofia", "bucharest",
    "belgrade", "budapest", "vienna", "prague", "warsaw", "krakow", "cracow", "gdansk",
    "danzig", "berlin", "east berlin", "west berlin", "bonn", "potsdam", "dresden", "leipzig",
    "munich", "hamburg", "frankfurt", "cologne", "nuremberg", "tirana", "zagreb", "ljubljana",
    "sarajevo", "skopje", "bratislava", "helsinki", "stockholm", "oslo", "copenhagen",
    "reykjavik", "london", "paris", "rome", "madrid", "lisbon", "brussels", "amsterdam",
    "the hague", "luxembourg", "geneva", "bern", "berne", "zurich", "dublin", "washington",
    "new york", "chicago", "san francisco", "los angeles", "ottawa", "havana", "mexico city",
    "buenos aires", "santiago", "lima", "caracas", "bogota", "rio de janeiro", "brasilia",
    "montevideo", "yalta", "teheran", "kremlin", "the kremlin", "white house", "versailles",
    "ulan bator", "ulaanbaatar", "urumqi", "kashgar", "port said", "aden", "hanover",
];

/// Lower-case words with a surname ending that are not names (nationalities and the like).
pub(crate) const COUNTRY_ADJ_STOP: &[&str] = &[
    "latin", "bulletin", "kremlin", "berlin", "dublin", "turin", "stalin's", "regina",
    "carolina", "marina", "medicine", "routine", "engine", "machine", "discipline", "doctrine",
    "magazine", "submarine", "marine", "examine", "determine", "decline", "deadline",
    "airline", "pipeline", "frontline", "guideline", "outline", "online", "sunshine",
    "cousin", "crimea", "soviet", "nov", "march", "prev",
];

/// Head words of organisation names.
pub(crate) const ORG_HEADS: &[&str] = &[
    "ministry", "directorate", "department", "committee", "commission", "commissariat",
    "party", "army", "navy", "staff", "embassy", "consulate", "council", "bureau", "politburo",
    "presidium", "secretariat", "government", "command", "headquarters", "administration",
    "agency", "academy", "university", "institute", "corps", "fleet", "assembly", "congress",
    "parliament", "tribunal", "court", "bank", "association", "league", "federation",
    "organization", "organisation", "delegation", "mission", "legation", "cominform",
    "comintern", "komsomol", "kgb", "nkvd", "mgb", "mvd", "gru", "cia", "office", "ministries",
    "volunteers",
];

/// Units that are named as part of a larger organisation (`CC of the …`, `4th Department of
/// the …`): the larger body is the organisation tagged.
pub(crate) const SUBUNIT_HEADS: &[&str] = &[
    "cc", "central", "committee", "department", "section", "division", "presidium",
    "politburo", "secretariat", "bureau", "office", "chief", "head", "general", "executive",
    "political", "organisational", "organizational", "standing",
];

fn is_caps_only(l: &str) -> bool {
    CAPS_ONLY.contains(&l)
}

/// The gazetteer entry for a lower-case name.
pub(crate) fn place(l: &str) -> Option<Form> {
    let l = l.strip_prefix("the ").unwrap_or(l);
    (PLACES.contains(&l) || PLACES.contains(&format!("the {l}").as_str())).then(|| Form {
        caps_only: is_caps_only(l),
    })
}

/// True for a lower-case single word or phrase in the gazetteer.
pub(crate) fn is_place(l: &str) -> bool {
    PLACES.contains(&l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_lower_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for p in PLACES {
            assert_eq!(*p, p.to_lowercase());
            let _ = seen.insert(*p);
        }
        assert!(place("pyongyang").is_some());
        assert!(place("us").unwrap().caps_only);
        assert!(place("kremlin").is_some());
        assert!(place("stalin").is_none());
    }
}
