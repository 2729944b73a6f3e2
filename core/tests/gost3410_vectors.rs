//! Published GOST R 34.10-2012 vectors through the public `crypto::ec` API:
//! RFC 7091 Section 7 signatures, RFC 8133 Appendix A.2 point arithmetic on
//! all seven curves, the Appendix B parameters, the OFP1 transcript's
//! signatures, typed errors for every malformed input, and proptest round trips.

use fkn_core::crypto::ec::hazmat::{
    ExampleCurve, example_public_key, example_sign, example_verify,
};
use fkn_core::crypto::ec::{CurveId, EcError, Point, Scalar, SigningKey, VerifyingKey};
use proptest::prelude::*;
use vectors::*;

/// Test vectors, each with its source. Integers are big-endian hex as the
/// sources print them (leading zeros may be omitted); byte strings are hex in
/// wire order.
mod vectors {
    use fkn_core::crypto::ec::CurveId;

    /// One RFC 8133 Appendix A.2 example (`Q_ind = Q_1` of A.1) with the curve's
    /// Appendix B parameters. Integers are big-endian hex; `src` and `k` are bytes.
    pub struct Sespake {
        pub curve: CurveId,
        pub section: &'static str,
        pub p: &'static str,
        pub q: &'static str,
        pub m: &'static str,
        pub gx: &'static str,
        pub gy: &'static str,
        pub q_ind: (&'static str, &'static str),
        pub f: &'static str,
        pub q_pw: (&'static str, &'static str),
        pub alpha: &'static str,
        pub alpha_p: (&'static str, &'static str),
        pub u1: (&'static str, &'static str),
        pub beta: &'static str,
        pub beta_p: (&'static str, &'static str),
        pub u2: (&'static str, &'static str),
        pub src: &'static str,
        pub k: &'static str,
    }

    /// RFC 8133 A.2.1-A.2.7 (PART 1 of rfc-vectors.txt) and B.1-B.7 (PART 2).
    pub const SESPAKE: [Sespake; 7] = [
        Sespake {
            curve: CurveId::CryptoProA,
            section: "A.2.1",
            p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
            q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
            m: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
            gx: "1",
            gy: "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
            q_ind: (
                "A69D51CAF1A309FA9E9B66187759B0174C274E080356F23CFCBFE84D396AD7BB",
                "5D26F29ECC2E9AC0404DCF7986FA55FE94986362170F54B9616426A659786DAC",
            ),
            f: "BD04673F7149B18E98155BD1E2724E71D0099AA25174F792D3326C6F18127067",
            q_pw: (
                "59495655D1E7C7424C622485F575CCF121F3122D274101E8AB734CC9C9A9B45E",
                "48D1C311D33C9B701F3B03618562A4A07A044E3AF31E3999E67B487778B53C62",
            ),
            alpha: "1F2538097D5A031FA68BBB43C84D12B3DE47B7061C0D5E24993E0C873CDBA6B3",
            alpha_p: (
                "BBC77CF42DC1E62D06227935379B4AA4D14FEA4F565DDF4CB4FA4D31579F9676",
                "8E16604A4AFDF28246684D4996274781F6CB80ABBBA1414C1513EC988509DABF",
            ),
            u1: (
                "204F564383B2A76081B907F3FCA8795E806BE2C2ED228730B5B9E37074229E8D",
                "E84F9E442C61DDE37B601A7F37E7CA11C56183FA071DFA9320EDE3E7521F9D41",
            ),
            beta: "DC497D9EF6324912FD367840EE509A2032AEDB1C0A890D133B45F596FCCBD45D",
            beta_p: (
                "6097341C1BE388E83E7CA2DF47FAB86E2271FD942E5B7B2EB2409E49F742BC29",
                "C81AA48BDB4CA6FA0EF18B9788AE25FE30857AA681B3942217F9FED151BAB7D0",
            ),
            u2: (
                "DC137A2F1D4A35AEBC0ECBF6D3486DEF8480BFDC752A86DD4F207D7D1910E22D",
                "7532F0CE99DCC772A4D77861DAE57C138F07AE304A727907FB0AAFDB624ED572",
            ),
            src: "2E01A3D84FDB7E947BB8929BE9363DF5F725D6401AA559D41A6724F8D5F18E2CA0DBA93105CDDAF4BFAEA3906FDD719DBEB297B6A17F4FBD96DCC723EA3472A9",
            k: "1A626554921DC2E92B4DD8D67DBE5A5662E56299373F06799535AD26094ECAA3",
        },
        Sespake {
            curve: CurveId::CryptoProB,
            section: "A.2.2",
            p: "8000000000000000000000000000000000000000000000000000000000000C99",
            q: "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
            m: "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
            gx: "1",
            gy: "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
            q_ind: (
                "3D715A874A4B17CB3B517893A9794A2B36C89D2FFC693F01EE4CC27E7F49E399",
                "1C5A641FCF7CE7E87CDF8CEA38F3DB3096EACE2FAD158384B53953365F4FE7FE",
            ),
            f: "BD04673F7149B18E98155BD1E2724E71D0099AA25174F792D3326C6F18127067",
            q_pw: (
                "6DC2AE26BC691FCA5A73D9C452790D15E34BA5404D92955B914C8D2662ABB985",
                "3B02AAA9DD65AE30C335CED12F3154BBAC059F66B088306747453EDF6E5DB077",
            ),
            alpha: "499D72B90299CAB0DA1F8BE19D9122F622A13B32B730C46BD0664044F2144FAD",
            alpha_p: (
                "61D6F916DB717222D74877F179F7EBEF7CD4D24D8C1F523C048E34A1DF30F8DD",
                "3EC48863049CFCFE662904082E78503F4973A4E105E2F1B18C69A5E7FB209000",
            ),
            u1: (
                "21F5437AF33D2A1171A070226B4AE82D3765CD0EEBFF1ECEFE158EBC50C63AB1",
                "5C9553B5D11AAAECE738AD9A9F8CB4C100AD4FA5E089D3CBCCEA8C0172EB7ECC",
            ),
            beta: "0F69FF614957EF83668EDC2D7ED614BE76F7B253DB23C5CC9C52BF7DF8F4669D",
            beta_p: (
                "33BC6F7E9C0BA10CFB2B72546C327171295508EA97F8C8BA9F890F2478AB4D6C",
                "75D57B396C396F492F057E9222CCC686437A2AAD464E452EF426FC8EEED1A4A6",
            ),
            u2: (
                "089DDEE718EE8A224A7F37E22CFFD731C25FCBF58860364EE322412CDCEF99AC",
                "0ECE03D4E395A6354C571871BEF425A532D5D463B0F8FD427F91A43E20CDA55C",
            ),
            src: "50140A5DED3343EFC8257B79E646D9F0DF43828C04919BD460C97AD14BA3A86B00C406B5744D8EB149DC8E7FC84064D85320253E57A9B6B13D0D38FEA8EE5E0A",
            k: "A626DE01B1680FF7513009122BCEE1896883394F96030172455C9AE060CCE44A",
        },
        Sespake {
            curve: CurveId::CryptoProC,
            section: "A.2.3",
            p: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
            q: "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
            m: "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
            gx: "0",
            gy: "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
            q_ind: (
                "1E36383E43BB6CFA2917167D71B7B5DD3D6D462B43D7C64282AE67DFBEC2559D",
                "137478A9F721C73932EA06B45CF72E37EB78A63F29A542E563C614650C8B6399",
            ),
            f: "BD04673F7149B18E98155BD1E2724E71D0099AA25174F792D3326C6F18127067",
            q_pw: (
                "945821DAF91E158B839939630655A3B21FF3E146D27041E86C05650EB3B46B59",
                "3A0C2816AC97421FA0E879605F17F0C9C3EB734CFF196937F6284438D70BDC48",
            ),
            alpha: "3A54AC3F19AD9D0B1EAC8ACDCEA70E581F1DAC33D13FEAFD81E762378639C1A8",
            alpha_p: (
                "96B7F09C94D297C257A7DA48364C0076E59E48D221CBA604AE111CA3933B446A",
                "54E4953D86B77ECCEB578500931E822300F7E091F79592CA202A020D762C34A6",
            ),
            u1: (
                "81BBD6FCA464D2E2404A66D786CE4A777E739A89AEB68C2DAC99D53273B75387",
                "6B6DBD922EA7E060998F8B230AB6EF07AD2EC86B2BF66391D82A30612EADD411",
            ),
            beta: "448781782BF7C0E52A1DD9E6758FD3482D90D3CFCCF42232CF357E59A4D49FD4",
            beta_p: (
                "4B9C0AB55A938121F282F48A2CC4396EB16E7E0068B495B0C1DD4667786A3EB7",
                "223460AA8E09383E9DF9844C5A0F2766484738E5B30128A171B69A77D9509B96",
            ),
            u2: (
                "2ED9B903254003A672E89EBEBC9E31503726AD124BB5FC0A726EE0E6FCCE323E",
                "4CF5E1042190120391EC8DB62FE25E9E26EC60FB0B78B242199839C295FCD022",
            ),
            src: "16A12D88547E1C9006BAA008E8CBECC9D16891EDC836CFB75F8EB956FA761194D28E25DAD3818D163C494B059A8C70A5A1B88A7F80A2EE3549301846542C470B",
            k: "BE7E7E47B41116F2C77E3B8FCE403072CA82450D65DEFC71A95649E4DEEAECEE",
        },
        Sespake {
            curve: CurveId::Tc26_512A,
            section: "A.2.4",
            p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
            q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
            m: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
            gx: "3",
            gy: "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
            q_ind: (
                "2A17F8833A32795327478871B5C5E88AEFB91126C64B4B8327289BEA62559425D18198F133F400874328B220C74497CD240586CB249E158532CB8090776CD61C",
                "728F0C4A73B48DA41CE928358FAD26B47A6E094E9362BAE82559F83CDDC4EC3A4676BD3707EDEAF4CD85E99695C64C241EDC622BE87DC0CF87F51F4367F723C5",
            ),
            f: "BD04673F7149B18E98155BD1E2724E71D0099AA25174F792D3326C6F181270671C6213E3930EFDDA26451792C6208122EE60D200520D695DFD9F5F0FD5ABA702",
            q_pw: (
                "0C0AB53D0E0A9C607CAD758F558915A0A7DC5DC87B45E9A58FDDF30EC3385960283E030CD322D9E46B070637785FD49D2CD711F46807A24C40AF9A42C8E2D740",
                "DF93A8012B86D3A3D4F8A4D487DA15FC739EB31B20B3B0E8C8C032AAF8072C6337CF7D5B404719E5B4407C41D9A3216A08CA69C271484E9ED72B8AAA52E28B8B",
            ),
            alpha: "3CE54325DB52FE798824AEAD11BB16FA766857D04A4AF7D468672F16D90E7396046A46F815693E85B1CE5464DA9270181F82333B0715057BBE8D61D400505F0E",
            alpha_p: (
                "B93093EB0FCC463239B7DF276E09E592FCFC9B635504EA4531655D76A0A3078E2B4E51CFE2FA400CC5DE9FBE369DB204B3E8ED7EDD85EE5CCA654C1AED70E396",
                "809770B8D910EA30BD2FA89736E91DC31815D2D9B31128077EEDC371E9F69466F497DC64DD5B1FADC587F860EE256109138C4A9CD96B628E65A8F590520FC882",
            ),
            u1: (
                "E7510A9EDD37B869566C81052E2515E1563FDFE79F1D782D6200F33C3CC2764D40D0070B73AD5A47BAE9A8F2289C1B07DAC26A1A2FF9D3ECB0A8A94A4F179F13",
                "BA333B912570777B626A5337BC7F727952460EEBA2775707FE4537372E902DF5636080B25399751BF48FB154F3C2319A91857C23F39F89EF54A8F043853F82DE",
            ),
            beta: "B5C286A79AA8E97EC0E19BC1959A1D15F12F8C97870BA9D68CC12811A56A3BB11440610825796A49D468CDC9C2D02D76598A27973D5960C5F50BCE28D8D345F4",
            beta_p: (
                "238B38644E440452A99FA6B93D9FD7DA0CB83C32D3C1E3CFE5DF5C3EB0F9DB91E588DAEDC849EA2FB867AE855A21B4077353C0794716A6480995113D8C20C7AF",
                "B2273D5734C1897F8D15A7008B862938C8C74CA7E877423D95243EB7EBD02FD2C456CF9FC956F078A59AA86F19DD1075E5167E4ED35208718EA93161C530ED14",
            ),
            u2: (
                "C33844126216E81B372001E77C1FE9C7547F9223CF7BB865C4472EC18BE0C79A678CC5AE4028E3F3620CCE355514F1E589F8A0C433CEAFCBD2EE87884D953411",
                "8B520D083AAF257E8A54EC90CBADBAF4FEED2C2D868C82FF04FCBB9EF6F38E56F6BAF9472D477414DA7E36F538ED223D2E2EE02FAE1A20A98C5A9FCF03B6F30D",
            ),
            src: "8459C20CB5C532416DB928EB50C0520FB21B9CD39A4E7606B221BE15CA1D02DA0815DEC44979C08C7D2307AF247DDA1F89EC812069F5D9CDE306AFF0BC3FD26ED201B95352A25606B643E888302EFC8D3E951E3EB4684ADB5C057B8F8C89B6CC0DEED100065B518A1C717F7682FF612BBC798EC7B2490FB7003F943387371C1D",
            k: "5324DEF848B663CC26422F5E45EEC34C51D24361B16560CA58A3D3284586CB7A",
        },
        Sespake {
            curve: CurveId::Tc26_512B,
            section: "A.2.5",
            p: "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006F",
            q: "800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
            m: "800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
            gx: "2",
            gy: "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
            q_ind: (
                "7E1FAE8285E035BEC244BEF2D0E5EBF436633CF50E55231DEA9C9CF21D4C8C33DF85D4305DE92971F0A4B4C07E00D87BDBC720EB66E49079285AAF12E0171149",
                "2CC89998B875D4463805BA0D858A196592DB20AB161558FF2F4EF7A85725D20953967AE621AFDEAE89BB77C83A2528EF6FCE02F68BDA4679D7F2704947DBC408",
            ),
            f: "BD04673F7149B18E98155BD1E2724E71D0099AA25174F792D3326C6F181270671C6213E3930EFDDA26451792C6208122EE60D200520D695DFD9F5F0FD5ABA702",
            q_pw: (
                "7D03E65B8050D1E12CBB601A17B9273B0E728F5021CD47C8A4DD822E4627BA5F9C696286A2CDDA9A065509866B4DEDEDC4A118409604AD549F87A60AFA621161",
                "16037DAD45421EC50B00D50BDC6AC3B85348BC1D3A2F85DB27C3373580FEF87C2C743B7ED30F22BE22958044E716F93A61CA3213A361A2797A16A3AE62957377",
            ),
            alpha: "715E893FA639BF341296E0623E6D29DADF26B163C278767A7982A989462A3863FE12AEF8BD403D59C4DC4720570D4163DB0805C7C10C4E818F9CB785B04B9997",
            alpha_p: (
                "10C479EA1C04D3C2C02B0576A9C42D96226FF033C1191436777F66916030D87D02FB93738ED7669D07619FFCE7C1F3C4DB5E5DF49E2186D6FA1E2EB5767602B9",
                "039F6044191404E707F26D59D979136A831CCE43E1C5F0600D1DDF8F39D0CA3D52FBD943BF04DDCED1AA2CE8F5EBD7487ACDEF239C07D015084D796784F35436",
            ),
            u1: (
                "45C05CCE8290762F2470B719B4306D62B2911CEB144F7F72EF11D10498C7E921FF163FE72044B4E7332AD8CBEC3C12117820F53A60762315BCEB5BC6DA5CF1E0",
                "5BE483E382D0F5F0748C4F6A5045D99E62755B5ACC9554EC4A5B2093E121A2DD5C6066BC9EDE39373BA19899208BB419E38B39BBDEDEB0B09A5CAAEAA984D02E",
            ),
            beta: "30FA8C2B4146C2DBBE82BED04D7378877E8C06753BD0A0FF71EBF2BEFE8DA8F3DC0836468E2CE7C5C961281B6505140F8407413F03C2CB1D201EA1286CE30E6D",
            beta_p: (
                "34C0149E7BB91AE377B02573FCC48AF7BFB7B16DEB8F9CE870F384688E3241A3A868588CC0EF4364CCA67D17E3260CD82485C202ADC76F895D5DF673B1788E67",
                "608E944929BD643569ED5189DB871453F13333A1EAF82B2FE1BE8100E775F13DD9925BD317B63BFAF05024D4A738852332B64501195C1B2EF789E34F23DDAFC5",
            ),
            u2: (
                "0535F95463444C4594B5A2E14B35760491C670925060B4BEBC97DE3A3076D1A581F89026E04282B040925D9250201024ACA4B2713569B6C3916A6F3344B840AD",
                "40E6C2E55AEC31E7BCB6EA0242857FC6DFB5409803EDF4CA20141F72CC3C7988706E076765F4F004340E5294A7F8E53BA59CB67502F0044558C854A7D63FE900",
            ),
            src: "3F0402E40A9D5963205BCDF4FD8977919BBAF480F8E4FBD1255AECE6ED57264BD0A287984F59D10204B5F45E4D77F3CF8A63B31BEB2DF59F8AF73C209CCA8B50B418D801E490AE133F04F4F3F4D8FE8E19646A1BAF44D236FCC21B7F4D8FC6A1E29D6B69ACCEED4E62ABB20DAD78ACF4FEB0ED838ED91E9212ABA389714E560C",
            k: "D590E05EF5AECE8B7CFBFC71BE455F29A5CC666F85CDB17E7CC716C59FF170E9",
        },
        Sespake {
            curve: CurveId::Tc26_256A,
            section: "A.2.6",
            p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
            q: "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
            m: "1000000000000000000000000000000003F63377F21ED98D70456BD55B0D8319C",
            gx: "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
            gy: "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
            q_ind: (
                "B51ADF93A40AB15792164FAD3352F95B66369EB2A4EF5EFAE32829320363350E",
                "74A358CC08593612F5955D249C96AFB7E8B0BB6D8BD2BBE491046650D822BE18",
            ),
            f: "BD04673F7149B18E98155BD1E2724E71D0099AA25174F792D3326C6F18127067",
            q_pw: (
                "DBF99827078956812FA48C6E695DF589DEF1D18A2D4D35A96D75BF6854237629",
                "9FDDD48BFBC57BEE1DA0CFF282884F284D471B388893C48F5ECB02FC18D67589",
            ),
            alpha: "147B72F6684FB8FD1B418A899F7DBECAF5FCE60B13685BAA95328654A7F0707F",
            alpha_p: (
                "33FBAC14EAE538275A769417829C431BD9FA622B6F02427EF55BD60EE6BC2888",
                "22F2EBCF960A82E6CDB4042D3DDDA511B2FBA925383C2273D952EA2D406EAE46",
            ),
            u1: (
                "E569AB544E3A13C41077DE97D659A1B7A13F61DDD808B633A5621FE2583A2C43",
                "A21A743A08F4D715661297ECD6F86553A808925BF34802BF7EC34C548A40B2C0",
            ),
            beta: "30D5CFADAA0E31B405E6734C03EC4C5DF0F02F4BA25C9A3B320EE6453567B4CB",
            beta_p: (
                "2B2D89FAB735433970564F2F28CFA1B57D640CB902BC6334A538F44155022CB2",
                "10EF6A82EEF1E70F942AA81D6B4CE5DEC0DDB9447512962874870E6F2849A96F",
            ),
            u2: (
                "190D2F283F7E861065DB53227D7FBDF429CEBF93791262CB29569BDF63C86CA4",
                "B3F1715721E9221897CCDE046C9B843A8386DBF7818A112F15A02BC820AC8F6D",
            ),
            src: "A339A0B89CEF1A6FFD4CA128049E0684DF4A9775B689A337841BF7D791207F35118628F7288EAA0F7EC81DA20A24FF1E6993C63D9DD26A90B74DD1A266280663",
            k: "7DF71AC327ED517D0DE403E817C6204BC19165B9D1002B9F1088A6CDA6EACF27",
        },
        Sespake {
            curve: CurveId::Tc26_512C,
            section: "A.2.7",
            p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
            q: "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
            m: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF26336E91941AAC0130CEA7FD451D40B323B6A79E9DA6849A5188F3BD1FC08FB4",
            gx: "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043AA27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
            gy: "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9BE18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
            q_ind: (
                "489C91784E02E98F19A803ABCA319917F37689E5A18965251CE2FF4E8D8B298F5BA7470F9E0E713487F96F4A8397B3D09A270C9D367EB5E0E6561ADEEB51581D",
                "684EA885ACA64EAF1B3FEE36C0852A3BE3BD8011B0EF18E203FF87028D6EB5DB2C144A0DCC71276542BFD72CA2A43FA4F4939DA66D9A60793C704A8C94E16F18",
            ),
            f: "BD04673F7149B18E98155BD1E2724E71D0099AA25174F792D3326C6F181270671C6213E3930EFDDA26451792C6208122EE60D200520D695DFD9F5F0FD5ABA702",
            q_pw: (
                "0185AE6271A81BB7F236A955F7CAA26FB63849813C0287D96C83A15AE6B6A86467AB13B6D88CE8CD7DC2E5B97FF5F28FAC2C108F2A3CF3DB5515C9E6D7D210E8",
                "ED0220F92EF771A71C64ECC77986DB7C03D37B3E2AB3E83F32CE5E074A762EC08253C9E2102B87532661275C4B1D16D2789CDABC58ACFDF7318DE70AB64F09B8",
            ),
            alpha: "332F930421D14CFE260042159F18E49FD5A54167E94108AD80B1DE60B13DE7999A34D611E63F3F870E5110247DF8EC7466E648ACF385E52CCB889ABF491EDFF0",
            alpha_p: (
                "561655966D52952E805574F4281F1ED3A2D498932B00CBA9DECB42837F09835BFFBFE2D84D6B6B242FE7B57F92E1A6F2413E12DDD6383E4437E13D72693469AD",
                "F6B18328B2715BD7F4178615273A36135BC0BF62F7D8BB9F080164AD36470AD03660F51806C64C6691BADEF30F793720F8E3FEAED631D6A54A4C372DCBF80E82",
            ),
            u1: (
                "40645B4B9A908D74DEF98886A336F98BAE6ADA4C1AC9B7594A33D5E4A16486C5533C7F3C5DD84797AB5B4340BFC70CAF1011B69A01A715E5B9B5432D5151CBD7",
                "267FBB18D0B79559D1875909F2A15F7B49ECD8ED166CF7F4FCD1F448915504835E80D52BE8D34ADA5B5E159CF52979B1BCFE8F5048DC443A0983AA19192B8407",
            ),
            beta: "38481771E7D054F96212686B613881880BD8A6C89DDBC656178F014D2C093432A033EE10415F13A160D44C2AD61E6E2E05A7F7EC286BCEA3EA4D4D53F8634FA2",
            beta_p: (
                "B7C5818687083433BC1AFF61CB5CA79E38232025E0C1F123B8651E62173CE6873F3E6FFE7281C2E45F4F524F66B0C263616ED08FD210AC4355CA3292B51D71C3",
                "497F14205DBDC89BDDAF50520ED3B1429AD30777310186BE5E68070F016A44E0C766DB08E8AC23FBDFDE6D675AA4DF591EB18BA0D348DF7AA40973A2F1DCFA55",
            ),
            u2: (
                "B772FD97D6FDEC1DA0771BC059B3E5ADF9858311031EAE5AEC6A6EC8104B4105C45A6C65689A8EE636C687DB62CC0AFC9A48CA66E381286CC73F374C1DD8F445",
                "C64F69425FFEB2995130E85A08EDC3A686EC28EE6E8469F7F09BD3BCBDD843AC573578DA6BA1CB3F5F069F205233853F06255C4B28586C9A1643537497B1018C",
            ),
            src: "4F4D64B5D07008E9E685874F882C3E1E60A6675EED421FC234163FDEB44C6918B7BCCEAB88A0F3FB788DA8DB101851FF1A416822BA37C353CEC4C5A52395B772AC93C054E3F4055CED6FF0BEE4A6A24ED68B86FEFA70DE4A2B16085142A4DFF05D32EC7DDFE304F5C704FDFA060F64E9E832140025F392E50350770E3FB62CAC",
            k: "A08384A62F4BE1AE4898FCA36DAA3FAA451B3EC5B59CE375F89E929F4B13258C",
        },
    ];

    /// An RFC 7091 signature example (integers; the standard gives `e`).
    pub struct Rfc7091 {
        pub curve: super::ExampleCurve,
        pub d: &'static str,
        pub qx: &'static str,
        pub qy: &'static str,
        pub e: &'static str,
        pub k: &'static str,
        pub r: &'static str,
        pub s: &'static str,
    }

    /// GOST R 34.10-2012 Appendix A.1 = RFC 7091 Section 7.1 (PART 7 of
    /// rfc-vectors.txt) and Appendix A.2 = RFC 7091 Section 7.2.
    pub const RFC7091: [Rfc7091; 2] = [
        Rfc7091 {
            curve: super::ExampleCurve::Rfc7091_256,
            d: "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
            qx: "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
            qy: "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
            e: "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
            k: "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
            r: "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
            s: "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
        },
        Rfc7091 {
            curve: super::ExampleCurve::Rfc7091_512,
            d: "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
            qx: "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
            qy: "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
            e: "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
            k: "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
            r: "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
            s: "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
        },
    ];

    /// A signature of the OFP1 worked example: integers big-endian, `digest`
    /// and `signature` (`s || r`) in wire order.
    pub struct Transcript {
        pub curve: CurveId,
        pub d: &'static str,
        pub public_bytes: &'static str,
        pub digest: &'static str,
        pub e: &'static str,
        pub k: &'static str,
        pub signature: &'static str,
    }

    /// /work/shared/vectors/ofp1-transcript.json, examples[0] and [1],
    /// exchanges "generate key" and "sign" (made by the OFP1 reference oracle).
    pub const TRANSCRIPT: [Transcript; 2] = [
        Transcript {
            curve: CurveId::Tc26_256A,
            d: "05CC857BE1DAA259C75CA30B03C67C74CC406FE6702BC0B561396395FD5C8DF4",
            public_bytes: "06F16C4A3DF4657AB17C14A1E3C98DA137B7B1E1FF79EFE3ADE1349CC0D9F6B9F89DCB81BCD6645BC8207DC94BB937264AC19FF76BAFA83C16636C8AEDC428AC",
            digest: "BBDA65927B8543E3D013F8ADE48C3CA183A46C6AE38742BC0FF728A9BA8BC3AC",
            e: "2CC38BBAA928F70FBC4287E36A6CA483818AF1251D014765611826D0B9F9C1ED",
            k: "2B940DA2F87F34AE9B63A147F7306C2153F4CEBC55989C378DDE0BBCA97BD16D",
            signature: "2D4C15E839B86CB9B0836224A5FBF6FE814EF26430662250927B66A94C02E1F5263E5AAB69E960BD74D04DC66B88FA5340A06A96B1DC4A9EC9EFF833AD35E7CD",
        },
        Transcript {
            curve: CurveId::Tc26_512A,
            d: "BD38AC79E987D2BEC22D3EED26EEE0A10F89CB191D04C8CC04624DBCC48CB05AF8EA0B7A3D25977053A8D208B3E64C215FBDB3C84546C5EC6A1F5CB0F16D9022",
            public_bytes: "BDA77EAB7DBDB60B626CEB209D18F47643A8661B204B5171CF984C1E8E9DF79A0AE7C38FB8678BA03B1D7831C0C71A8C8E1C5C8BB75BE79C22CAD61D2E537C7D6B0F53B59F04DC99A4E332C55380795E61CDFF25F84BCC60EA61354B2BE475A09A8294D60C184D0D69F83634B395578AFC2D4B5C4C87011C6B47E2DA82047B02",
            digest: "31D0939181BE702DD3FDCEA26E2EAD230DAEBD27078060D585697476F92683EE4284AD4F56434CF3464BCD39EFFDDAE75664A2C76A8139FCBFC90D9F53C0D83A",
            e: "3AD8C0539F0DC9BFFC39816AC7A26456E7DAFDEF39CD4B46F34C43564FAD8442EE8326F976746985D560800727BDAE0D23AD2E6EA2CEFDD32D70BE819193D031",
            k: "7BCB1C0C3CBF908BE7DB87A0A6357458350796FADE7765914D6D14F5B6E7A48A705D83EBFC27F3E4B16ED11984B40E1D78B780EFB4CAF87BCC1AB7F1218641AD",
            signature: "26A555176C624A7145D23B1722CA46A79AE516246C945C6138C97EF15D923DF2EFE5972AC23F06D7CA9AE12EE312310636972CE072C8FFE0C5CCB34E0A3C1A06656144DA50BDEDC9A1815404EB77994BB8A8D2F11F1C40836F928DB0F309F2DBF9125E9CB76D267B1491E9462AAFF97359DC44ED168A3E29786EB72830F95964",
        },
    ];

    /// A point of order 4 (affine, big-endian) on each cofactor-4 curve; twice
    /// it is the curve's only rational point of order 2, `(x, 0)`. Found by
    /// taking `q * R` for random points `R` (x chosen at random, y a square
    /// root) until the result had order 4; checked below against the curve
    /// equation and the group law.
    pub const ORDER_4: [(CurveId, &str, &str); 2] = [
        (
            CurveId::Tc26_256A,
            "7F7F80C60535007538B45A5D95C39353BC5D80D1F36A9DC0ACE7C5118C2F5977",
            "81817DADF060FEA055E2F0E73EB54604CAE77D8A25C026BDF948B0CB5B71EECA",
        ),
        (
            CurveId::Tc26_512C,
            "B2CEB8345535898813B22EBAED63002431BAA6E3A8897BD702D1F2A27EA3FA5D9CC65D7F23E2FF7114ED197A575D7B72C932995A7051D270EF26A6DB1101748F",
            "E793D763005F6367C4E973CF37D6FF936AD00B5506638C7AF78A2818841410E729ACE782945701ACC138B390F9E78DA7A46833F0AF0A88AD328C0B6ECCFB9BA9",
        ),
    ];
}

const ALL_256: [CurveId; 4] = [
    CurveId::CryptoProA,
    CurveId::CryptoProB,
    CurveId::CryptoProC,
    CurveId::Tc26_256A,
];
const ALL_512: [CurveId; 3] = [CurveId::Tc26_512A, CurveId::Tc26_512B, CurveId::Tc26_512C];

fn bytes(hex: &str) -> Vec<u8> {
    hex::decode(hex).expect("test vector hex")
}

/// A big-endian integer as exactly `n` bytes.
fn be(hex: &str, n: usize) -> Vec<u8> {
    bytes(&format!("{hex:0>width$}", width = 2 * n))
}

fn point(curve: CurveId, (x, y): (&str, &str)) -> Point {
    let n = curve.coord_len();
    Point::from_affine_be(curve, &be(x, n), &be(y, n)).expect("vector point on curve")
}

fn scalar(curve: CurveId, hex: &str) -> Scalar {
    Scalar::from_be_bytes(curve, &be(hex, curve.coord_len())).expect("vector scalar below q")
}

/// `v - 1` for a big-endian byte string (`v > 0`).
fn minus_one(mut v: Vec<u8>) -> Vec<u8> {
    for b in v.iter_mut().rev() {
        let (r, borrow) = b.overflowing_sub(1);
        *b = r;
        if !borrow {
            break;
        }
    }
    v
}

/// `v * k` for a big-endian byte string, one byte longer.
fn times(v: &[u8], k: u32) -> Vec<u8> {
    let mut out = vec![0u8; v.len() + 1];
    let mut carry = 0u32;
    for (i, b) in v.iter().enumerate().rev() {
        let t = u32::from(*b) * k + carry;
        out[i + 1] = (t & 0xFF) as u8;
        carry = t >> 8;
    }
    out[0] = carry as u8;
    out
}

/// Little-endian bytes of a big-endian value.
fn le(mut v: Vec<u8>) -> Vec<u8> {
    v.reverse();
    v
}

/// A deterministic generator for reproducible tests (Streebog-256 in counter
/// mode over a seed); not for production use.
struct TestRng {
    seed: [u8; 32],
    counter: u64,
}

impl TestRng {
    fn new(seed: &[u8]) -> Self {
        use streebog::Digest;
        TestRng {
            seed: streebog::Streebog256::digest(seed).into(),
            counter: 0,
        }
    }
}

impl rand_core::TryRng for TestRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        use streebog::Digest;
        for chunk in dst.chunks_mut(32) {
            let mut h = streebog::Streebog256::new();
            h.update(self.seed);
            h.update(self.counter.to_le_bytes());
            self.counter += 1;
            let block = h.finalize();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for TestRng {}

#[test]
fn rfc7091_signature_examples() {
    for v in &RFC7091 {
        let n = match v.curve {
            ExampleCurve::Rfc7091_256 => 32,
            ExampleCurve::Rfc7091_512 => 64,
        };
        let (d, e, k) = (be(v.d, n), be(v.e, n), be(v.k, n));
        let (qx, qy) = example_public_key(v.curve, &d).unwrap();
        assert_eq!(
            (hex::encode_upper(&qx), hex::encode_upper(&qy)),
            (v.qx.to_string(), v.qy.to_string())
        );
        let (r, s) = example_sign(v.curve, &d, &e, &k).unwrap();
        assert_eq!(r, be(v.r, n), "r of {:?}", v.curve);
        assert_eq!(s, be(v.s, n), "s of {:?}", v.curve);
        assert_eq!(example_verify(v.curve, &qx, &qy, &e, &r, &s), Ok(()));
        // Another e, swapped components, or another key must fail.
        let mut e2 = e.clone();
        e2[n - 1] ^= 1;
        assert_eq!(
            example_verify(v.curve, &qx, &qy, &e2, &r, &s),
            Err(EcError::InvalidSignature)
        );
        assert_eq!(
            example_verify(v.curve, &qx, &qy, &e, &s, &r),
            Err(EcError::InvalidSignature)
        );
        let (ox, oy) = example_public_key(v.curve, &k).unwrap();
        assert_eq!(
            example_verify(v.curve, &ox, &oy, &e, &r, &s),
            Err(EcError::InvalidSignature)
        );
    }
}

#[test]
fn rfc8133_curve_parameters() {
    for v in &SESPAKE {
        let c = v.curve;
        let n = c.coord_len();
        // The generator is the Appendix B point, on the curve, of order q.
        let g = Point::generator(c);
        assert_eq!(g, point(c, (v.gx, v.gy)), "{}", v.section);
        assert_eq!(Point::from_bytes(c, &g.to_bytes()), Ok(g));
        let q_minus_1 = Scalar::from_be_bytes(c, &minus_one(be(v.q, n))).unwrap();
        assert_eq!(g.mul(&q_minus_1), g.neg());
        assert!(g.mul(&q_minus_1).add(&g).is_identity(), "q*P = O on {c}");
        assert!(g.mul_vartime(&q_minus_1).add(&g).is_identity());
        assert!(Point::mul_generator(&q_minus_1).add(&g).is_identity());
        assert_eq!(
            Scalar::from_be_bytes(c, &be(v.q, n)),
            Err(EcError::ScalarOutOfRange)
        );
        // m = cofactor * q, and the cofactor is what CurveId reports.
        let m = be(v.m, n + 1);
        assert_eq!(times(&be(v.q, n), c.cofactor()), m, "m = (m/q) q on {c}");
        assert_eq!(
            c.cofactor(),
            if matches!(c, CurveId::Tc26_256A | CurveId::Tc26_512C) {
                4
            } else {
                1
            }
        );
        assert_eq!(
            g.mul_by_cofactor(),
            g.mul(&Scalar::from_be_bytes_reduced(c, &[c.cofactor() as u8]))
        );
    }
}

#[test]
fn rfc8133_sespake_point_arithmetic() {
    use streebog::Digest;
    for v in &SESPAKE {
        let c = v.curve;
        let s = v.section;
        // Q_ind is a valid public point; BYTES() round-trips.
        let q_ind = point(c, v.q_ind);
        assert_eq!(Point::from_bytes(c, &q_ind.to_bytes()), Ok(q_ind), "{s}");
        // Q_PW = int_LE(F) * Q_ind, constant-time and variable-time.
        let f = Scalar::from_le_bytes_reduced(c, &bytes(v.f));
        let q_pw = point(c, v.q_pw);
        assert_eq!(q_ind.mul(&f), q_pw, "Q_PW {s}");
        assert_eq!(q_ind.mul_vartime(&f), q_pw, "Q_PW vartime {s}");
        // alpha*P and beta*P through both generator paths.
        let (alpha, beta) = (scalar(c, v.alpha), scalar(c, v.beta));
        let (alpha_p, beta_p) = (point(c, v.alpha_p), point(c, v.beta_p));
        assert_eq!(Point::mul_generator(&alpha), alpha_p, "alpha*P {s}");
        assert_eq!(Point::generator(c).mul(&beta), beta_p, "beta*P {s}");
        // u_1 = alpha*P - Q_PW, u_2 = beta*P + Q_PW.
        assert_eq!(alpha_p.sub(&q_pw), point(c, v.u1), "u_1 {s}");
        assert_eq!(beta_p.add(&q_pw), point(c, v.u2), "u_2 {s}");
        // src = BYTES((m/q * beta mod q) * (u_1 + Q_PW)) = BYTES((m/q * alpha mod q) * (u_2 - Q_PW)).
        let h = Scalar::from_be_bytes_reduced(c, &[c.cofactor() as u8]);
        let src_b = point(c, v.u1).add(&q_pw).mul(&h.mul(&beta)).to_bytes();
        let src_a = point(c, v.u2).sub(&q_pw).mul(&h.mul(&alpha)).to_bytes();
        assert_eq!(hex::encode_upper(&src_b), v.src, "src {s}");
        assert_eq!(src_a, src_b, "src from A's side {s}");
        // K = Streebog-256(src) as the RFC prints it.
        assert_eq!(
            streebog::Streebog256::digest(&src_b).to_vec(),
            bytes(v.k),
            "K {s}"
        );
    }
}

#[test]
fn ofp1_transcript_signatures() {
    for v in &TRANSCRIPT {
        let c = v.curve;
        let n = c.coord_len();
        let key = SigningKey::from_be_bytes(c, &be(v.d, n)).unwrap();
        assert_eq!(
            hex::encode_upper(key.verifying_key().to_bytes()),
            v.public_bytes
        );
        let digest = bytes(v.digest);
        // e = int_LE(digest) mod q, as the transcript states it.
        assert_eq!(Scalar::from_le_bytes_reduced(c, &digest), scalar(c, v.e));
        let k = scalar(c, v.k);
        let sig = key.sign_digest_with_nonce(&digest, &k).unwrap();
        assert_eq!(hex::encode_upper(&sig), v.signature, "{c}");
        let vk = VerifyingKey::from_bytes(c, &bytes(v.public_bytes)).unwrap();
        assert_eq!(vk, key.verifying_key());
        assert_eq!(vk.verify_digest(&digest, &sig), Ok(()));
        // The integer-level entry points agree with the byte-level ones.
        let (r, s) = key.sign_e_with_nonce(&scalar(c, v.e), &k).unwrap();
        assert_eq!([s.to_be_bytes(), r.to_be_bytes()].concat(), sig);
        assert_eq!(vk.verify_e(&scalar(c, v.e), &r, &s), Ok(()));
    }
}

#[test]
fn malformed_points_are_typed_errors() {
    for v in &SESPAKE {
        let c = v.curve;
        let n = c.coord_len();
        let good = point(c, v.q_ind).to_bytes();
        for len in [0, 2 * n - 1, 2 * n + 1, n] {
            let b = vec![1u8; len];
            let want = Err(EcError::InvalidLength {
                expected: 2 * n,
                got: len,
            });
            assert_eq!(Point::from_bytes(c, &b), want);
            assert_eq!(Point::from_bytes_on_curve(c, &b), want);
            assert_eq!(
                VerifyingKey::from_bytes(c, &b).map(|_| ()),
                want.map(|_: Point| ())
            );
        }
        assert_eq!(
            Point::from_affine_be(c, &[1u8; 31], &be(v.gy, n)),
            Err(EcError::InvalidLength {
                expected: n,
                got: 31
            })
        );
        // Off the curve: y changed by one.
        let mut off = good.clone();
        off[n] ^= 1;
        assert_eq!(Point::from_bytes(c, &off), Err(EcError::PointNotOnCurve));
        assert_eq!(
            Point::from_bytes_on_curve(c, &off),
            Err(EcError::PointNotOnCurve)
        );
        // A coordinate equal to p, or all ones: non-canonical.
        let p_le = le(be(v.p, n));
        for bad_x in [p_le.clone(), vec![0xFF; n]] {
            let b = [bad_x.as_slice(), &good[n..]].concat();
            assert_eq!(Point::from_bytes(c, &b), Err(EcError::CoordinateOutOfRange));
            let b = [&good[..n], bad_x.as_slice()].concat();
            assert_eq!(Point::from_bytes(c, &b), Err(EcError::CoordinateOutOfRange));
        }
        assert_eq!(
            Point::from_affine_be(c, &be(v.p, n), &be(v.gy, n)),
            Err(EcError::CoordinateOutOfRange)
        );
        // x = p - gx... is x + p, the same residue as gx: still refused.
        // The point at infinity: all zeros.
        let zeros = vec![0u8; 2 * n];
        assert_eq!(Point::from_bytes(c, &zeros), Err(EcError::PointAtInfinity));
        assert_eq!(
            Point::from_bytes_on_curve(c, &zeros),
            Err(EcError::PointAtInfinity)
        );
        assert_eq!(
            VerifyingKey::from_point(Point::identity(c)),
            Err(EcError::PointAtInfinity)
        );
        assert_eq!(Point::identity(c).to_bytes(), zeros);
        assert_eq!(Point::identity(c).to_affine_be(), None);
        assert_eq!(
            Point::from_affine_be(c, &vec![0; n], &vec![0; n]),
            Err(EcError::PointNotOnCurve)
        );
        // A point of another curve of the same size is (almost surely) off this one.
        let other = if n == 32 {
            CurveId::CryptoProB
        } else {
            CurveId::Tc26_512B
        };
        if other != c {
            assert_eq!(
                Point::from_bytes(c, &Point::generator(other).to_bytes()),
                Err(EcError::PointNotOnCurve)
            );
        }
    }
}

#[test]
fn small_order_points_on_cofactor_4_curves() {
    for (c, x, y) in ORDER_4 {
        let n = c.coord_len();
        let t4 = point(c, (x, y));
        let t2 = t4.double();
        let o = Point::identity(c);
        assert!(!t4.is_identity() && !t2.is_identity());
        assert!(t2.double().is_identity(), "T2 has order 2");
        assert_eq!(t2.to_affine_be().unwrap().1, vec![0u8; n], "T2 = (x, 0)");
        assert!(t4.mul_by_cofactor().is_identity() && t2.mul_by_cofactor().is_identity());
        // Decoding: on the curve but outside the subgroup.
        for t in [t4, t2, t4.neg()] {
            assert_eq!(
                Point::from_bytes(c, &t.to_bytes()),
                Err(EcError::PointNotInSubgroup)
            );
            assert_eq!(Point::from_bytes_on_curve(c, &t.to_bytes()), Ok(t));
            assert_eq!(
                VerifyingKey::from_point(t),
                Err(EcError::PointNotInSubgroup)
            );
        }
        // The group law on the torsion, including the pairs that are
        // exceptional for the raw complete formulas (difference T2).
        assert_eq!(o.add(&t2), t2);
        assert_eq!(t2.add(&o), t2);
        assert!(t2.add(&t2).is_identity());
        assert_eq!(t4.add(&t4), t2);
        assert_eq!(t4.add(&t2), t4.neg());
        assert!(t4.add(&t4.neg()).is_identity());
        assert_eq!(t4.neg().add(&t2), t4);
        // Mixed points: outside the subgroup, the cofactor clears the torsion.
        let g = Point::generator(c);
        let mixed = g.add(&t4);
        assert_eq!(
            Point::from_bytes(c, &mixed.to_bytes()),
            Err(EcError::PointNotInSubgroup)
        );
        assert_eq!(mixed.mul_by_cofactor(), g.mul_by_cofactor());
        let g_t2 = g.add(&t2);
        assert_eq!(g_t2.add(&g), g.double().add(&t2));
        assert_eq!(g_t2.sub(&t2), g);
        assert_eq!(g_t2.sub(&g), t2);
        // Constant-time multiplication is exact on torsion and mixed points.
        let mut rng = TestRng::new(c.name().as_bytes());
        let mut ks: Vec<Scalar> = (0u8..8)
            .map(|i| Scalar::from_be_bytes_reduced(c, &[i]))
            .collect();
        ks.extend((0..4).map(|_| Scalar::random_nonzero(c, &mut rng)));
        for k in &ks {
            assert_eq!(t4.mul(k), t4.mul_vartime(k));
            assert_eq!(t2.mul(k), t2.mul_vartime(k));
            assert_eq!(mixed.mul(k), mixed.mul_vartime(k));
            assert_eq!(mixed.mul(k), g.mul(k).add(&t4.mul(k)));
            assert_eq!(o.mul(k), o);
        }
    }
}

#[test]
fn signature_errors_are_typed() {
    let mut rng = TestRng::new(b"signature errors");
    for c in CurveId::ALL {
        let n = c.coord_len();
        let q = SESPAKE
            .iter()
            .find(|v| v.curve == c)
            .map(|v| be(v.q, n))
            .unwrap();
        let key = SigningKey::generate(c, &mut rng);
        let vk = key.verifying_key();
        let digest = vec![0x5A; n];
        let sig = key.sign_digest(&digest, &mut rng).unwrap();
        assert_eq!(sig.len(), 2 * n);
        assert_eq!(vk.verify_digest(&digest, &sig), Ok(()));
        // Digest length: one short, one long, the other curve size.
        for len in [n - 1, n + 1, if n == 32 { 64 } else { 32 }] {
            let d = vec![1u8; len];
            let want = Err(EcError::DigestLength {
                expected: n,
                got: len,
            });
            assert_eq!(key.sign_digest(&d, &mut rng), want.map(|_: ()| Vec::new()));
            assert_eq!(vk.verify_digest(&d, &sig), want);
        }
        // Signature length.
        for len in [0, 2 * n - 1, 2 * n + 1] {
            let s = vec![1u8; len];
            assert_eq!(
                vk.verify_digest(&digest, &s),
                Err(EcError::InvalidLength {
                    expected: 2 * n,
                    got: len
                })
            );
        }
        // r or s zero, equal to q, or all ones.
        let (s_part, r_part) = sig.split_at(n);
        for bad in [vec![0u8; n], q.clone(), vec![0xFF; n]] {
            let with_r = [s_part, bad.as_slice()].concat();
            let with_s = [bad.as_slice(), r_part].concat();
            assert_eq!(
                vk.verify_digest(&digest, &with_r),
                Err(EcError::SignatureComponentOutOfRange)
            );
            assert_eq!(
                vk.verify_digest(&digest, &with_s),
                Err(EcError::SignatureComponentOutOfRange)
            );
        }
        // Flipped low bits of s, of r, of the digest; another key; swapped halves.
        for pos in [n - 1, 2 * n - 1] {
            let mut bad = sig.clone();
            bad[pos] ^= 0x02;
            assert_eq!(
                vk.verify_digest(&digest, &bad),
                Err(EcError::InvalidSignature),
                "{c} byte {pos}"
            );
        }
        let mut d2 = digest.clone();
        d2[0] ^= 1;
        assert_eq!(vk.verify_digest(&d2, &sig), Err(EcError::InvalidSignature));
        let other = SigningKey::generate(c, &mut rng).verifying_key();
        assert_eq!(
            other.verify_digest(&digest, &sig),
            Err(EcError::InvalidSignature)
        );
        let swapped = [r_part, s_part].concat();
        assert_eq!(
            vk.verify_digest(&digest, &swapped),
            Err(EcError::InvalidSignature)
        );
        // Keys: zero, q, wrong length. Nonce zero. Mixed curves.
        assert_eq!(
            SigningKey::from_be_bytes(c, &vec![0; n]).map(|_| ()),
            Err(EcError::ScalarOutOfRange)
        );
        assert_eq!(
            SigningKey::from_be_bytes(c, &q).map(|_| ()),
            Err(EcError::ScalarOutOfRange)
        );
        assert_eq!(
            SigningKey::from_be_bytes(c, &vec![1; n + 1]).map(|_| ()),
            Err(EcError::InvalidLength {
                expected: n,
                got: n + 1
            })
        );
        assert_eq!(
            key.sign_digest_with_nonce(&digest, &Scalar::zero(c)),
            Err(EcError::ScalarOutOfRange)
        );
        let foreign = if c == CurveId::CryptoProA {
            CurveId::Tc26_512A
        } else {
            CurveId::CryptoProA
        };
        assert_eq!(
            key.sign_digest_with_nonce(&digest, &Scalar::one(foreign)),
            Err(EcError::CurveMismatch {
                left: c,
                right: foreign
            })
        );
        assert_eq!(
            Point::generator(c).try_mul(&Scalar::one(foreign)),
            Err(EcError::CurveMismatch {
                left: c,
                right: foreign
            })
        );
    }
}

#[test]
fn zero_digest_signs_as_e_equal_one() {
    let mut rng = TestRng::new(b"e = 1");
    for c in [CurveId::CryptoProA, CurveId::Tc26_256A, CurveId::Tc26_512C] {
        let n = c.coord_len();
        let key = SigningKey::generate(c, &mut rng);
        let k = Scalar::random_nonzero(c, &mut rng);
        let mut one = vec![0u8; n];
        one[0] = 1; // int_LE = 1
        let q_le = le(be(SESPAKE.iter().find(|v| v.curve == c).unwrap().q, n));
        let expect = key.sign_digest_with_nonce(&one, &k).unwrap();
        assert_eq!(
            key.sign_digest_with_nonce(&vec![0u8; n], &k).unwrap(),
            expect
        );
        assert_eq!(
            key.sign_digest_with_nonce(&q_le, &k).unwrap(),
            expect,
            "digest = q maps to e = 0 -> 1"
        );
        assert_eq!(
            key.verifying_key().verify_digest(&vec![0u8; n], &expect),
            Ok(())
        );
    }
}

#[test]
fn scalar_arithmetic_and_encodings() {
    let mut rng = TestRng::new(b"scalars");
    for c in CurveId::ALL {
        let n = c.coord_len();
        let q = be(SESPAKE.iter().find(|v| v.curve == c).unwrap().q, n);
        let a = Scalar::random_nonzero(c, &mut rng);
        let b = Scalar::random_nonzero(c, &mut rng);
        let zero = Scalar::zero(c);
        let one = Scalar::one(c);
        assert_eq!(a.add(&a.neg()), zero);
        assert_eq!(a.sub(&b).add(&b), a);
        assert_eq!(a.mul(&a.invert().unwrap()), one);
        assert_eq!(zero.invert(), None);
        assert_eq!(a.mul(&b.add(&one)), a.mul(&b).add(&a));
        assert!(zero.is_zero() && !one.is_zero());
        assert_eq!(Scalar::from_be_bytes(c, &a.to_be_bytes()), Ok(a.clone()));
        // (k*P) + (j*P) = (k+j)*P links scalar and point arithmetic.
        assert_eq!(
            Point::mul_generator(&a).add(&Point::mul_generator(&b)),
            Point::mul_generator(&a.add(&b))
        );
        // Reductions: q -> 0, q + 5 -> 5, and 2^(8*3n) wide inputs via Horner.
        assert!(Scalar::from_le_bytes_reduced(c, &le(q.clone())).is_zero());
        assert!(Scalar::from_be_bytes_reduced(c, &q).is_zero());
        let mut q5 = q.clone();
        let last = q5.len() - 1;
        q5[last] = q5[last].wrapping_add(5); // q ends in a byte < 0xFB on all curves
        assert_eq!(
            Scalar::from_be_bytes_reduced(c, &q5),
            Scalar::from_be_bytes_reduced(c, &[5])
        );
        // a * 2^(8n) + a via a 2n-byte and a 3n-byte input agree with arithmetic.
        let a_le = le(a.to_be_bytes());
        let two_n = [a_le.clone(), a_le.clone()].concat();
        let shift = Scalar::from_le_bytes_reduced(c, &[vec![0u8; n], vec![1]].concat()); // 2^(8n) mod q
        assert_eq!(
            Scalar::from_le_bytes_reduced(c, &two_n),
            a.mul(&shift).add(&a)
        );
        let three_n = [a_le.clone(), a_le.clone(), a_le.clone()].concat();
        assert_eq!(
            Scalar::from_le_bytes_reduced(c, &three_n),
            a.mul(&shift).mul(&shift).add(&a.mul(&shift)).add(&a)
        );
        let mut three_be = three_n.clone();
        three_be.reverse();
        assert_eq!(
            Scalar::from_be_bytes_reduced(c, &three_be),
            Scalar::from_le_bytes_reduced(c, &three_n)
        );
        assert_eq!(
            Scalar::from_be_bytes(c, &q5),
            Err(EcError::ScalarOutOfRange)
        );
        assert_eq!(
            Scalar::from_be_bytes(c, &[1u8; 3]),
            Err(EcError::InvalidLength {
                expected: n,
                got: 3
            })
        );
    }
}

#[test]
fn debug_output_redacts_secrets() {
    let c = CurveId::Tc26_256A;
    let d = be(TRANSCRIPT[0].d, 32);
    let key = SigningKey::from_be_bytes(c, &d).unwrap();
    let dbg = format!("{key:?} {:?}", key.as_scalar());
    for hex_d in [hex::encode(&d), hex::encode_upper(&d)] {
        assert!(!dbg.contains(&hex_d), "{dbg}");
    }
    assert!(dbg.contains("Tc26_256A"), "{dbg}");
    assert_eq!(key.to_be_bytes().as_slice(), d.as_slice());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn sign_verify_round_trip_256(curve in 0usize..4, seed in any::<[u8; 16]>(), digest in any::<[u8; 32]>()) {
        let c = ALL_256[curve];
        let mut rng = TestRng::new(&seed);
        let key = SigningKey::generate(c, &mut rng);
        let sig = key.sign_digest(&digest, &mut rng).unwrap();
        let vk = VerifyingKey::from_bytes(c, &key.verifying_key().to_bytes()).unwrap();
        prop_assert_eq!(vk.verify_digest(&digest, &sig), Ok(()));
    }

    #[test]
    fn flipped_bit_is_rejected_256(curve in 0usize..4, seed in any::<[u8; 16]>(), bit in 0usize..(8 * 96)) {
        let c = ALL_256[curve];
        let mut rng = TestRng::new(&seed);
        let key = SigningKey::generate(c, &mut rng);
        let mut digest = [7u8; 32];
        let mut sig = key.sign_digest(&digest, &mut rng).unwrap();
        // Bits 0..512 hit the signature, 512..768 the digest.
        if bit < 512 { sig[bit / 8] ^= 1 << (bit % 8) } else { digest[(bit - 512) / 8] ^= 1 << (bit % 8) }
        let r = key.verifying_key().verify_digest(&digest, &sig);
        prop_assert!(matches!(r, Err(EcError::InvalidSignature | EcError::SignatureComponentOutOfRange)), "{:?}", r);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3))]

    #[test]
    fn sign_verify_round_trip_512(curve in 0usize..3, seed in any::<[u8; 16]>(), digest in proptest::collection::vec(any::<u8>(), 64)) {
        let c = ALL_512[curve];
        let mut rng = TestRng::new(&seed);
        let key = SigningKey::generate(c, &mut rng);
        let sig = key.sign_digest(&digest, &mut rng).unwrap();
        prop_assert_eq!(key.verifying_key().verify_digest(&digest, &sig), Ok(()));
        let mut bad = sig.clone();
        bad[(seed[0] as usize) % 128] ^= 1 << (seed[1] % 8);
        let r = key.verifying_key().verify_digest(&digest, &bad);
        prop_assert!(matches!(r, Err(EcError::InvalidSignature | EcError::SignatureComponentOutOfRange)), "{:?}", r);
    }
}
