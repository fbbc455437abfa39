"""Articles of the bundled demo news site (original text written for this project)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    """One article of the demo site."""

    outlet: str  # "courier" | "meridian" | "frontline"
    day: str  # "2026-11-18" | "2026-11-19" | "2026-11-20"
    time: str  # "HH:MM", UTC publication time
    slug: str  # unique across all stories, [a-z0-9-]+
    section: str  # "world" | "africa" | "middle-east" | "europe" | "asia" | "business"
    #                      | "science" | "sport" | "culture"
    title: str
    authors: tuple[str, ...]
    paragraphs: tuple[str, ...]


STORIES: tuple[Story, ...] = (
    Story(
        outlet="frontline",
        day="2026-11-18",
        time="01:20",
        slug="goma-m23-clashes",
        section="africa",
        title="Fighting between M23 and pro-government militias flares north of Goma",
        authors=("Patrick Kambale",),
        paragraphs=(
            (
                "Heavy fighting broke out on Tuesday between M23 rebels and pro-government militia "
                "fighters in hills north of Goma, killing at least 14 people, including six "
                "civilians, local officials and residents said."
            ),
            (
                "The clashes erupted at dawn when Wazalendo militias, who fight alongside the "
                "Congolese army, attacked M23 positions along the road leading from Goma toward "
                "the Virunga National Park, according to a civil society leader in the area, "
                "Jean-Claude Muhindo."
            ),
            (
                '"Shells fell on houses and a school. Families are fleeing toward Goma carrying '
                'whatever they can," Muhindo said. He said five militiamen and three rebels were '
                "among the dead."
            ),
            (
                "An M23 spokesman accused the Kinshasa government of breaking a ceasefire and said "
                'the rebels had "repelled the aggressors". The Congolese army did not comment.'
            ),
            (
                "The Rwanda-backed M23 seized Goma, the largest city in eastern Democratic "
                "Republic of Congo, in January 2025 and later took Bukavu, the capital of South "
                "Kivu province. Rwanda denies supporting the group."
            ),
            (
                "Despite peace agreements brokered by the United States and Qatar, fighting has "
                "continued across North and South Kivu, where more than a hundred armed groups "
                "compete for land and mineral wealth. Aid agencies say millions of people have "
                "been uprooted."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-18",
        time="02:15",
        slug="borno-farmers-killed",
        section="africa",
        title="Suspected Boko Haram fighters kill seven farmers near Maiduguri",
        authors=("Halima Yusuf-Okon",),
        paragraphs=(
            (
                "Suspected Boko Haram fighters killed seven farmers who were harvesting beans on "
                "the outskirts of Maiduguri on Tuesday, a local militia leader and a resident "
                "said."
            ),
            (
                "The men were attacked in their fields around 15 kilometres east of the city, the "
                "capital of Borno state, shortly after midday, according to Babagana Modu, a "
                "commander of the Civilian Joint Task Force, a vigilante group that fights "
                "alongside the army."
            ),
            (
                '"The insurgents tied their hands and shot them one after another, then took their '
                'harvest and two motorbikes," Modu told the Courier by telephone. He said three '
                "other farmers escaped and raised the alarm."
            ),
            (
                "A spokesman for the Nigerian army's operation in the northeast said troops had "
                "been sent to the area and were pursuing the attackers, but did not give a "
                "casualty figure."
            ),
            (
                "Farmers in Borno are regularly targeted by jihadists who accuse them of passing "
                "information to soldiers and local militias, or who demand levies before allowing "
                "crops to be gathered. Many families have been confined for years to fields close "
                "to garrison towns."
            ),
            (
                '"We have no choice but to go out to the farms, otherwise our children will '
                'starve," said Ya Kaka Bulama, whose brother was among the dead. "But every season '
                'we bury someone."'
            ),
            (
                "The Boko Haram insurgency, which began in 2009, and the rival Islamic State West "
                "Africa Province have killed tens of thousands of people and displaced more than "
                "two million in northeastern Nigeria, according to United Nations figures."
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-18",
        time="03:30",
        slug="sagaing-airstrike-monastery",
        section="asia",
        title="Myanmar air strike on monastery kills nine, residents say",
        authors=("Thura Aung",),
        paragraphs=(
            (
                "A Myanmar military air strike hit a Buddhist monastery sheltering displaced "
                "families in Sagaing region on Tuesday night, killing at least nine people, "
                "including four children, residents and a local resistance group said."
            ),
            (
                "The monastery, about 30 kilometres west of Mandalay, had been housing some 200 "
                "people who fled fighting in nearby villages in recent months, according to a "
                "volunteer rescue worker who gave his name as Ko Zaw."
            ),
            (
                '"The jet dropped two bombs. One hit the main hall where people were sleeping," he '
                'said by phone. "We pulled out the bodies with our hands because there is no '
                'machinery here."'
            ),
            (
                "A spokesman for the ruling military council could not be reached. The junta has "
                'previously said it targets only "terrorist" positions, its term for armed '
                "opponents of its rule."
            ),
            (
                "Sagaing, in Myanmar's dry central heartland, has become one of the main "
                "battlegrounds between the army and People's Defence Forces that took up arms "
                "after the military overthrew Aung San Suu Kyi's elected government in February "
                "2021."
            ),
            (
                "Rights groups say the military has increasingly relied on air power as it has "
                "lost ground to rebel forces, with schools, clinics and religious buildings "
                "repeatedly hit."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-18",
        time="07:35",
        slug="peshawar-police-post-bombing",
        section="asia",
        title="Suicide bomber kills six at police post in Pakistan's Peshawar",
        authors=("Sana Afridi", "Imran Qureshi"),
        paragraphs=(
            (
                "A suicide bomber blew himself up at a police checkpoint on the outskirts of "
                "Peshawar on Wednesday morning, killing four policemen and two passers-by, "
                "officials in northwest Pakistan said."
            ),
            (
                "The attacker, who was on foot, detonated his explosives as officers were "
                "searching vehicles entering the city from the direction of the Afghan border, "
                "said senior police officer Tahir Ayub Khan. Eleven people were taken to hospital, "
                "three of them in critical condition."
            ),
            (
                '"Our men stood their ground and stopped him before he could reach the main road, '
                'otherwise the toll would have been much higher," Khan told journalists at the '
                "scene, where the charred remains of a motorcycle rickshaw lay beside the barrier."
            ),
            (
                "No group immediately claimed responsibility, but suspicion fell on the Pakistani "
                "Taliban, known as Tehreek-e-Taliban Pakistan or TTP, which has carried out scores "
                "of attacks on security forces in Khyber Pakhtunkhwa province."
            ),
            (
                "Islamabad accuses neighbouring Afghanistan's Taliban government of allowing TTP "
                "fighters to use its territory to plan attacks, a charge Kabul rejects. Relations "
                "between the two countries have been strained by deadly border clashes."
            ),
            (
                "The provincial chief minister condemned the bombing and announced compensation "
                "for the families of the dead."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-18",
        time="08:40",
        slug="ghana-cocoa-farmgate-price",
        section="business",
        title="Ghana raises cocoa farmgate price ahead of mid-crop season",
        authors=("Kwame Asante-Darko",),
        paragraphs=(
            (
                "Ghana will pay farmers 12 percent more for their cocoa beans from next month, the "
                "country's cocoa regulator said on Wednesday, as it tries to curb smuggling to "
                "neighbouring countries and revive output in the world's second-largest producer."
            ),
            (
                "The new price of 3,950 cedis per 64-kilogram bag takes effect on December 1 and "
                "will apply to the smaller mid-crop harvest, the Ghana Cocoa Board said in a "
                "statement released in Accra."
            ),
            (
                '"Our farmers must be rewarded fairly for their labour, and they must see that it '
                "pays more to sell through official channels than across the border,\" the board's "
                "deputy chief executive, Efua Mensah-Bonsu, told a news conference."
            ),
            (
                "Production has fallen sharply over the past three seasons because of the swollen "
                "shoot virus, ageing trees, erratic rains and illegal gold mining that has "
                "destroyed plantations in the west of the country. Industry analysts estimate that "
                "tens of thousands of tonnes are smuggled into Ivory Coast and Togo each year."
            ),
            (
                "Traders in London said the announcement had little immediate effect on futures "
                "prices, which have eased from record highs but remain well above their long-term "
                "average."
            ),
            (
                "Farmers' groups welcomed the increase but said it came late. \"Fertiliser and "
                'labour costs have doubled. This helps, but it does not close the gap," said Kofi '
                "Boateng, who heads a cooperative of growers near Kumasi."
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-18",
        time="09:50",
        slug="malaria-vaccine-trial-kisumu",
        section="science",
        title="Single-dose malaria vaccine shows promise in Kenyan trial",
        authors=("Grace Achieng", "Martin Oyelaran"),
        paragraphs=(
            (
                "An experimental malaria vaccine given in a single dose cut clinical cases among "
                "young children by almost two-thirds over a full rainy season, researchers "
                "reported on Wednesday after a trial near the Kenyan lakeside city of Kisumu."
            ),
            (
                "The study followed 1,840 children aged between six months and three years, half "
                "of whom received the vaccine and half a placebo, the team from a Kenyan research "
                "institute and two European universities wrote in a medical journal."
            ),
            (
                "Existing malaria vaccines require three or four injections, a schedule many "
                "families struggle to complete because of the distance to clinics and the cost of "
                "travel, said the trial's lead investigator, Dr Rosemary Atieno."
            ),
            (
                '"If these results hold up in larger studies, a single visit could protect a child '
                'through the most dangerous months of the year," she said. "That would change how '
                'we run vaccination campaigns."'
            ),
            (
                "Protection waned after about eight months, the researchers found, suggesting a "
                "yearly booster might be needed. Side effects were mostly mild, including fever "
                "and soreness at the injection site."
            ),
            (
                "Malaria kills roughly 600,000 people a year, most of them children under five in "
                "sub-Saharan Africa, according to the World Health Organization. Independent "
                "scientists called the findings encouraging but cautioned that the trial was "
                "relatively small and confined to one area."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-18",
        time="12:50",
        slug="mombasa-port-volumes",
        section="business",
        title="Mombasa port handles record cargo as regional trade grows",
        authors=("Wanjiru Njoroge",),
        paragraphs=(
            (
                "Cargo handled at Kenya's port of Mombasa rose 9 percent in the first ten months "
                "of the year to a record 33.4 million tonnes, driven by higher imports for "
                "landlocked neighbours, the Kenya Ports Authority said on Wednesday."
            ),
            (
                "Transit goods bound for Uganda, South Sudan, Rwanda and eastern Congo made up "
                "more than a third of the total, the authority said, with fuel, steel and "
                "fertiliser among the biggest categories."
            ),
            (
                "\"Mombasa is no longer just Kenya's gateway. It is the gateway for a market of "
                "more than 200 million people,\" the authority's acting managing director, Hassan "
                "Omar Bwana, said at a briefing in the coastal city."
            ),
            (
                "Container traffic rose to 1.7 million twenty-foot equivalent units, helped by new "
                "berths and cranes installed under a Japanese-financed expansion. Average ship "
                "waiting times fell to under two days, from nearly four a year earlier."
            ),
            (
                "Shipping agents said congestion had moved inland, however, with lorries queuing "
                "for hours at the border with Uganda. The standard gauge railway linking Mombasa "
                "with Nairobi carries only a fraction of transit cargo."
            ),
            (
                "Mombasa faces growing competition from Tanzania's Dar es Salaam, which has been "
                "upgraded with investment from a Gulf port operator, and analysts say tariffs and "
                "border delays will decide which port wins the region's trade."
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-18",
        time="13:15",
        slug="homs-checkpoint-attack",
        section="middle-east",
        title="Islamic State gunmen kill five soldiers at Syrian checkpoint",
        authors=("Rami Haddad",),
        paragraphs=(
            (
                "Islamic State militants attacked an army checkpoint in the desert east of Homs "
                "before dawn on Wednesday, killing five Syrian soldiers and wounding three, a "
                "security official and a war monitor said."
            ),
            (
                "The gunmen arrived in two pickup trucks and opened fire with machine guns and "
                "rocket-propelled grenades before withdrawing toward the open Badia desert, the "
                "official said, speaking on condition of anonymity because he was not authorised "
                "to brief journalists."
            ),
            (
                "The interior ministry in Damascus confirmed the attack in a short statement, "
                'saying security forces had launched a sweep of the area and that "the criminals '
                'will not escape punishment".'
            ),
            (
                "A Britain-based monitoring group said the assault was the deadliest on government "
                "forces in Homs province since the summer. It said jihadist cells had stepped up "
                "ambushes on checkpoints and lorry convoys in recent weeks."
            ),
            (
                '"We heard explosions for about twenty minutes, then silence," said Abu Khaled, a '
                'shepherd who grazes his flock near the highway. "Nobody travels on this road at '
                'night any more."'
            ),
            (
                "Although the Islamic State lost the last of its territory in Syria in 2019, its "
                "fighters continue to hide out in the vast central desert, from where they launch "
                "hit-and-run raids. Analysts say the group has sought to exploit security gaps "
                "since the change of government in Damascus."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-18",
        time="14:05",
        slug="odesa-port-missile-strike",
        section="europe",
        title="Russian missile strike on Odesa port kills two workers",
        authors=("Olena Marchuk", "Tom Hadley"),
        paragraphs=(
            (
                "A Russian ballistic missile hit port facilities in Odesa on Wednesday morning, "
                "killing two dock workers and damaging a grain terminal and a civilian cargo ship, "
                "Ukrainian officials said."
            ),
            (
                "The strike came shortly after 7 a.m. local time, when air raid sirens had already "
                "sounded across the southern region, according to Maksym Horodetskyi, the head of "
                "Odesa's regional military administration."
            ),
            (
                '"This was a deliberate attack on the infrastructure that feeds millions of people '
                'abroad," Horodetskyi wrote on the Telegram messaging app, publishing photographs '
                "of a burning warehouse and a crumpled loading crane."
            ),
            (
                "Seven other people were wounded, including two crew members of a Panama-flagged "
                "vessel that was being loaded with maize, he said. Firefighters needed several "
                "hours to bring the blaze under control."
            ),
            (
                "Russia's defence ministry said its forces had struck \"military logistics "
                'targets" in the Odesa region but gave no details. Moscow has frequently targeted '
                "Black Sea ports since it invaded Ukraine in February 2022, saying they are used "
                "to bring in Western weapons."
            ),
            (
                "Ukraine has nonetheless kept exporting grain through a shipping corridor hugging "
                "its coastline, and port traffic this year has returned close to pre-war levels, "
                "according to government data."
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-18",
        time="18:45",
        slug="marrakech-film-festival-opens",
        section="culture",
        title="Marrakech film festival opens with Sahel road drama",
        authors=("Leila Bennani",),
        paragraphs=(
            (
                "The Marrakech International Film Festival opened on Wednesday evening with the "
                "premiere of a Senegalese road movie about two brothers crossing the Sahel, "
                "launching nine days of screenings in the Moroccan city."
            ),
            (
                '"The Long Way to Agadez", directed by first-time filmmaker Ousmane Diallo-Sarr, '
                "follows a mechanic and his younger brother as they drive a battered lorry from "
                "Dakar toward Niger, picking up passengers whose stories gradually overtake their "
                "own."
            ),
            (
                '"I wanted to show that the desert is not empty. It is full of people, languages '
                'and jokes," Diallo-Sarr said on the red carpet, where he was joined by most of '
                "his non-professional cast."
            ),
            (
                "Fourteen films are competing for the festival's top prize, the Golden Star, with "
                "entries from Egypt, Iran, Brazil, the Philippines and Tunisia among others. The "
                "jury is chaired this year by a veteran Italian cinematographer."
            ),
            (
                "Organisers said they had sold a record number of passes for the public screenings "
                "on Jemaa el-Fna square, where residents and tourists gather each night to watch "
                "films projected on a giant outdoor screen."
            ),
            (
                "The festival, first held in 2001, has grown into a leading showcase for cinema "
                "from Africa and the Arab world, and its workshops have supported dozens of young "
                "directors from the region."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-18",
        time="20:30",
        slug="eldoret-cross-country-chebet",
        section="sport",
        title="Teenager Chebet upsets favourites to win Eldoret cross-country",
        authors=("Daniel Mwangi",),
        paragraphs=(
            (
                "Seventeen-year-old Faith Jerop Chebet pulled away in the final kilometre to win "
                "the women's senior race at the Eldoret cross-country meeting on Wednesday, "
                "beating two world championship medallists in only her second senior competition."
            ),
            (
                "Chebet, a secondary school student who trains in the Rift Valley highlands, "
                "covered the muddy 10-kilometre course in 33 minutes 41 seconds, nine seconds "
                "ahead of Mercy Wanjiru Koech, with defending champion Alice Naserian third."
            ),
            (
                '"I was only thinking about staying with the leaders until the last hill. When I '
                'saw they were tired, I decided to go," a breathless Chebet said at the finish, '
                "where she was mobbed by classmates who had travelled to watch her."
            ),
            (
                "In the men's race, Peter Lomuria Ekai retained his title after a sprint finish "
                "against Ugandan Joel Cheptoyek, both men clocking 29:12 on a course made heavy by "
                "overnight rain."
            ),
            (
                "The meeting is one of the main stops on Athletics Kenya's domestic calendar and "
                "is used by selectors to identify runners for next year's continental "
                "championships."
            ),
            (
                'Coach Josphat Limo, who has worked with Chebet for two years, urged caution. "She '
                'has huge talent, but she is still a child. We will not rush her onto the track," '
                "he said."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-18",
        time="22:10",
        slug="beledweyne-floods",
        section="world",
        title="Shabelle river floods force thousands from homes in Somalia's Beledweyne",
        authors=("Abdirahman Nur",),
        paragraphs=(
            (
                "Floodwaters from the Shabelle river swept through large parts of Beledweyne in "
                "central Somalia on Wednesday, forcing more than 40,000 people to flee to higher "
                "ground, local authorities and aid workers said."
            ),
            (
                "The river burst its banks after days of heavy rain in the Ethiopian highlands "
                "upstream, submerging markets, schools and the main hospital, said the town's "
                "mayor, Omar Hassan Adan."
            ),
            (
                '"Almost the whole town is under water. People are sleeping in the open on the '
                'hills without food or shelter," Adan told Frontline by telephone, appealing for '
                "boats and tents."
            ),
            (
                "Two people, a woman and a child, drowned when their donkey cart was swept away, "
                "he said. Residents used makeshift rafts made of plastic barrels to rescue "
                "neighbours stranded on rooftops."
            ),
            (
                "Somalia's disaster management agency said it was sending emergency supplies by "
                "air, as the main road from Mogadishu was cut in several places. The United "
                "Nations humanitarian office warned that flooding could spread further downstream "
                "in the coming days."
            ),
            (
                "Forecasters have linked the unusually heavy rains of the current season to warm "
                "sea temperatures in the western Indian Ocean. Beledweyne has flooded repeatedly "
                "in recent years, and residents say drainage channels and river embankments have "
                "never been properly repaired."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-19",
        time="02:30",
        slug="taiz-frontline-clashes",
        section="middle-east",
        title="Clashes between Houthis and government forces kill six near Yemen's Taiz",
        authors=("Ahmed al-Sharabi",),
        paragraphs=(
            (
                "Fighting between Houthi rebels and Yemeni government forces on the outskirts of "
                "Taiz killed six fighters on Wednesday, military sources on both sides said, in "
                "one of the heaviest flare-ups around the divided city this year."
            ),
            (
                "The clashes began when Houthi units tried to advance on government positions in "
                "the mountains west of the city, a government military official said, adding that "
                "four Houthi fighters and two soldiers were killed and nine people were wounded."
            ),
            (
                "A Houthi-run news outlet gave a different account, saying government forces had "
                'attacked first and that the rebels had "thwarted an infiltration attempt". It '
                "reported two deaths among its own ranks."
            ),
            (
                "Residents said shells fell close to homes in the western districts, where many "
                'families have lived near the front line for a decade. "The children hide under '
                'the stairs whenever they hear the artillery," said Fatima Saleh, a schoolteacher.'
            ),
            (
                "Taiz, Yemen's third-largest city, has been partly encircled by the Houthis since "
                "2015. A United Nations-mediated truce in 2022 sharply reduced fighting "
                "nationwide, but sporadic clashes persist along front lines, and talks on "
                "reopening roads into the city have repeatedly stalled."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-19",
        time="04:45",
        slug="kitwe-copper-smelter-expansion",
        section="business",
        title="Zambian copper smelter expansion to lift refined output by a fifth",
        authors=("Chanda Mulenga",),
        paragraphs=(
            (
                "A Zambian copper producer said on Thursday it would spend $850 million expanding "
                "its smelter near Kitwe, a move that would raise the country's refined copper "
                "output by about a fifth within three years."
            ),
            (
                "Kafue Metals Corporation, which is majority owned by a consortium of Gulf and "
                "Zambian investors, said construction would begin in the first quarter of next "
                "year and create around 1,200 permanent jobs in the Copperbelt province."
            ),
            (
                '"Zambia has spent too long exporting concentrate and letting others capture the '
                'value. This plant keeps more of that value at home," chief executive Natasha '
                "Phiri-Banda told investors on a conference call."
            ),
            (
                "Zambia, Africa's second-biggest copper producer after Congo, aims to triple "
                "annual production to three million tonnes by the early 2030s, betting on demand "
                "for the metal in electric vehicles, power grids and data centres."
            ),
            (
                "Mining analysts said the target remained ambitious because of ageing mines, "
                "unreliable electricity supply and the high cost of moving ore by road to ports in "
                "Tanzania and South Africa. A drought in 2024 caused severe power cuts that hit "
                "smelters across the Copperbelt."
            ),
            (
                "Shares in the company's Johannesburg-listed parent rose 4.2 percent after the "
                "announcement, while benchmark copper prices in London were little changed."
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-19",
        time="06:30",
        slug="kharkiv-drone-attack",
        section="europe",
        title="Russian drones kill four in overnight attack on Kharkiv",
        authors=("Iryna Bondarenko",),
        paragraphs=(
            (
                "Russian drones struck Kharkiv overnight, killing four people and wounding 11 in "
                "Ukraine's second-largest city, the regional governor said on Thursday."
            ),
            (
                "At least a dozen Shahed-type attack drones hit residential areas in the city's "
                "north and east shortly after 2 a.m., setting fire to a nine-storey apartment "
                "block and several private homes, Governor Serhiy Lytvynenko said on Telegram."
            ),
            (
                '"Among the dead is a 15-year-old boy. Rescuers are still working at the site, and '
                'there may be people under the rubble," Lytvynenko said, adding that two of the '
                "wounded were in serious condition."
            ),
            (
                "Emergency crews battled flames on the upper floors for several hours as residents "
                'in nightclothes watched from the courtyard below. "The windows came in on us. My '
                "neighbour's flat simply disappeared,\" said Tetiana Kovalenko, 68, who was "
                "treated for cuts."
            ),
            (
                "Ukraine's air force said Russia had launched 96 drones and two missiles at the "
                "country overnight, and that air defences had shot down or jammed 78 of the "
                "drones."
            ),
            (
                "Kharkiv, which lies about 30 kilometres from the Russian border, has been "
                "targeted almost daily since the start of the full-scale invasion in 2022. Moscow "
                "denies deliberately attacking civilians."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-19",
        time="09:10",
        slug="zamfara-gunmen-raid",
        section="africa",
        title="Gunmen kill at least 12 villagers in northwest Nigeria raid",
        authors=("Ibrahim Sadiq",),
        paragraphs=(
            (
                "Gunmen on motorcycles killed at least 12 villagers in a raid on a farming village "
                "near Gusau in northwest Nigeria's Zamfara state on Wednesday, police said."
            ),
            (
                "The attackers, who arrived on more than 40 motorcycles, opened fire on residents "
                "as they returned from their farms and set several homes alight, Zamfara state "
                "police spokesman Musa Kabir said in a statement."
            ),
            (
                '"Twelve bodies have been recovered so far and a search is ongoing for others who '
                'fled into the bush," Kabir said, adding that tactical units had been deployed to '
                "the area and that no arrests had yet been made."
            ),
            (
                'Residents said the death toll could be higher. "They came shooting from every '
                "direction. We buried 14 people this morning, and some women and children are "
                'still missing," said Aliyu Sani, a farmer who said he hid in a maize field with '
                "his two sons."
            ),
            (
                "Another resident, who asked not to be named for fear of reprisals, said the "
                "gunmen also took away cattle and abducted at least six people. Police could not "
                "immediately confirm the abductions."
            ),
            (
                "Northwest Nigeria has for years been plagued by heavily armed criminal gangs, "
                "known locally as bandits, who raid villages, kill residents and kidnap people for "
                "ransom. The gangs operate from camps in vast forests straddling Zamfara, Katsina, "
                "Sokoto and Niger states."
            ),
            (
                "The military has carried out repeated air and ground operations against the "
                "gangs, but attacks have continued, and thousands of people have been forced from "
                "their homes into camps and towns such as Gusau."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-19",
        time="11:40",
        slug="nigeria-village-attack-zamfara",
        section="africa",
        title="Bandits on motorbikes kill 12 in Zamfara village attack",
        authors=("Ibrahim Sadiq",),
        paragraphs=(
            (
                "GUSAU, Nigeria (AFP) - Gunmen on motorcycles killed at least 12 villagers in a "
                "raid on a farming village near Gusau in northwest Nigeria's Zamfara state on "
                "Wednesday, police told reporters."
            ),
            (
                "The attackers, who arrived on more than 40 motorcycles, opened fire on residents "
                "as they returned from their farms and set many homes alight, Zamfara state police "
                "spokesman Musa Kabir said in a statement."
            ),
            (
                '"Twelve bodies have been recovered so far and a search is ongoing for others who '
                'fled into the bush," Kabir said, adding that tactical units had been deployed to '
                "the area and that no arrests had yet been made."
            ),
            (
                'Residents said the death toll could be higher. "They came shooting from every '
                "direction. We buried 14 people this morning, and some women and children are "
                'still missing," said Aliyu Sani, a villager who said he hid in a maize field with '
                "his two sons."
            ),
            (
                "Another resident, who asked not to be named for fear of reprisals, said the "
                "gunmen also took away cattle and abducted at least six people."
            ),
            (
                "Northwest Nigeria has for years been plagued by well armed criminal gangs, known "
                "locally as bandits, who raid villages, kill residents and kidnap people for "
                "ransom. The gangs operate from camps in dense forests straddling Zamfara, "
                "Katsina, Sokoto and Niger states."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-19",
        time="13:25",
        slug="el-fasher-market-shelling",
        section="africa",
        title="RSF shelling of El Fasher market kills nine, medics say",
        authors=("Mohamed Osman Idris",),
        paragraphs=(
            (
                "Shelling by the paramilitary Rapid Support Forces hit a crowded market in El "
                "Fasher on Thursday, killing nine civilians and wounding more than 20, a local "
                "medical group said."
            ),
            (
                "Several shells landed in the vegetable and livestock section of the market at "
                "around midday, when hundreds of people were shopping, the North Darfur Emergency "
                "Medics group said in a statement. Two of the dead were children."
            ),
            (
                '"We are treating the wounded on the floor because there are no beds left, and we '
                'are running out of dressings," a doctor at one of the few functioning clinics, '
                "who asked to be identified only by his first name, Yasir, said by satellite "
                "phone."
            ),
            (
                "The RSF, which has been at war with the Sudanese army since April 2023, did not "
                "respond to a request for comment. The group has previously denied targeting "
                "civilians and blamed the army for casualties."
            ),
            (
                "El Fasher, the capital of North Darfur state, has endured months of siege and "
                "bombardment. Residents describe severe shortages of food, clean water and "
                "medicine, and aid convoys have rarely been able to reach the city."
            ),
            (
                "The conflict has left tens of thousands dead and uprooted around 12 million "
                "Sudanese, creating what the United Nations calls the world's largest displacement "
                "crisis."
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-19",
        time="15:00",
        slug="nairobi-student-protest",
        section="africa",
        title="Kenyan police fire tear gas as students protest fee rises in Nairobi",
        authors=("Brian Otieno", "Faith Mutua"),
        paragraphs=(
            (
                "Thousands of university students protested in Nairobi on Thursday against steep "
                "rises in tuition fees, and police fired tear gas and arrested 30 demonstrators as "
                "marchers tried to reach parliament."
            ),
            (
                "Students from several public universities gathered in the city centre in the "
                'morning, blowing whistles and carrying placards reading "Education is not a '
                'luxury" and "Fees must fall", before riot police blocked their path near the '
                "central business district."
            ),
            (
                "Officers fired volleys of tear gas and used water cannon to disperse crowds, some "
                "of whom threw stones and set tyres alight, witnesses said. Shops along Moi Avenue "
                "pulled down their shutters."
            ),
            (
                '"Thirty suspects were arrested for malicious damage and disturbing the peace and '
                'will be arraigned in court," Nairobi regional police commander Joseph Kiprono '
                "said, adding that two officers had been injured."
            ),
            (
                "Student leaders said several protesters were hurt, including one who was hit in "
                'the face by a tear gas canister. "We came peacefully. My parents are farmers, and '
                'they cannot pay double," said Esther Wambui, a second-year economics student.'
            ),
            (
                "The government raised fees at public universities this term under a funding model "
                "it says will target support to the poorest students. Critics say the scheme has "
                "left many families facing bills they cannot afford."
            ),
            (
                "Kenya has seen repeated waves of youth-led protests in recent years over the cost "
                "of living, taxes and police conduct."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-19",
        time="16:05",
        slug="port-sudan-drone-strike",
        section="africa",
        title="Drone strike sets fuel depot ablaze in Sudan's Port Sudan",
        authors=("Nadia Abdelrahman",),
        paragraphs=(
            (
                "A drone strike hit a fuel depot in Port Sudan early on Thursday, sending thick "
                "black smoke over the Red Sea city that serves as the seat of Sudan's army-aligned "
                "government. No casualties were reported."
            ),
            (
                "Witnesses said they heard a loud explosion at about 5 a.m. followed by several "
                "smaller blasts as storage tanks near the southern port caught fire. Civil defence "
                "teams were still trying to contain the blaze by midday."
            ),
            (
                'The Sudanese army blamed the Rapid Support Forces for the attack. "The terrorist '
                "militia continues to target vital civilian infrastructure in a desperate attempt "
                'to deprive citizens of fuel and electricity," army spokesman Brigadier Khalid '
                "al-Amin said in a statement."
            ),
            (
                "There was no immediate comment from the RSF, which does not usually claim drone "
                "attacks on the city."
            ),
            (
                '"People rushed to the petrol stations as soon as they saw the smoke, because '
                'everyone remembers the shortages last time," said Hamid Yousif, a taxi driver. '
                "Long queues formed at filling stations by mid-morning."
            ),
            (
                "Port Sudan, which had been largely spared from fighting, has been hit by a series "
                "of drone strikes since May 2025 that damaged its airport, power station and fuel "
                "facilities. The war between the army and the paramilitary force began in April "
                "2023."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-19",
        time="19:20",
        slug="locust-satellite-forecasting",
        section="science",
        title="Satellite soil data helps forecast desert locust outbreaks weeks earlier",
        authors=("Helen Castellanos",),
        paragraphs=(
            (
                "Scientists have developed a forecasting system that uses satellite measurements "
                "of soil moisture to predict where desert locusts will breed up to two months "
                "ahead, giving countries in Africa and Asia more time to prepare, according to a "
                "study published on Thursday."
            ),
            (
                "The model, trained on four decades of field surveys, correctly flagged 81 percent "
                "of major breeding areas recorded between 2019 and 2024, including the outbreaks "
                "that devastated crops in the Horn of Africa, the international team reported."
            ),
            (
                '"Locusts need damp sand to lay their eggs. If we can see the rain soaking into '
                'the desert from space, we can see where the next generation will hatch," said '
                "co-author Dr Amina Warsame, an entomologist based in Addis Ababa."
            ),
            (
                "Current early warning relies largely on ground teams who scour remote deserts for "
                "swarms, work that is expensive and often dangerous in countries such as Yemen, "
                "Sudan and Somalia where conflict limits access."
            ),
            (
                "The researchers said the system could help governments position pesticides and "
                "spraying aircraft before swarms form, when control is cheaper and more effective. "
                "A pilot is due to start next year in partnership with national locust control "
                "units in East Africa."
            ),
            (
                "A single swarm covering one square kilometre can contain up to 80 million insects "
                "and eat as much food in a day as 35,000 people, according to the Food and "
                "Agriculture Organization."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-19",
        time="20:15",
        slug="lahore-test-aslam-rehman-centuries",
        section="sport",
        title="Centuries from Aslam and Rehman put Pakistan in control in Lahore",
        authors=("Usman Tariq",),
        paragraphs=(
            (
                "Opener Hamza Aslam and captain Bilal Rehman both scored centuries as Pakistan "
                "reached 356 for three at stumps on the opening day of the second Test against Sri "
                "Lanka in Lahore on Thursday."
            ),
            (
                "The pair put on 214 for the third wicket after Pakistan chose to bat on a dry, "
                "flat pitch at the Gaddafi Stadium, frustrating a Sri Lankan attack that had "
                "bowled the hosts out cheaply in the first Test in Karachi."
            ),
            (
                "Sri Lanka, who lead the two-match series 1-0 after winning by seven wickets in "
                "Karachi, made early inroads when seamer Kasun Wijesinghe dismissed Aslam's "
                "opening partner and the number three batsman inside the first hour."
            ),
            (
                "Aslam, 24, was unbeaten on 162 at the close, the highest score of his short Test "
                "career, having hit 19 fours and two sixes. Rehman fell for 118 to a sharp catch "
                "at slip off spinner Dunith Perera in the final session."
            ),
            (
                '"After Karachi, we talked a lot about patience. The plan was simply to bat the '
                'whole day, and we nearly did," Aslam told a news conference.'
            ),
            (
                "Sri Lanka coach Rohan Fernando said his bowlers had been let down by dropped "
                'catches. "We gave Aslam two lives before he reached 50. At this level you pay for '
                'that," he said.'
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-19",
        time="21:40",
        slug="lagos-art-fair-record-sales",
        section="culture",
        title="Lagos art fair reports record sales as collectors return",
        authors=("Chioma Eze-Adams",),
        paragraphs=(
            (
                "Galleries at Lagos's largest contemporary art fair sold work worth more than $6 "
                "million over its opening days, organisers said on Thursday, a record for the "
                "event and a sign of growing international appetite for West African art."
            ),
            (
                "Forty-two galleries from 17 countries are taking part in this year's edition, "
                "held in a converted warehouse on Victoria Island, with painting, sculpture, "
                "textiles and digital works on show until Sunday."
            ),
            (
                '"Five years ago most buyers here were Nigerian. This year we have collectors from '
                "Seoul, Sao Paulo and Los Angeles walking the aisles,\" the fair's director, "
                "Adaeze Okonkwo, said in an interview."
            ),
            (
                "Among the most talked-about pieces is a room-sized installation by Ghanaian "
                "artist Yaw Ofori-Atta, built from hundreds of discarded mobile phone casings "
                "collected from repair shops in Accra."
            ),
            (
                "Dealers cautioned that the market remains fragile. Currency swings have made "
                "naira-priced works cheaper for foreign buyers but have squeezed local collectors, "
                "and several galleries said they were relying more on online sales."
            ),
            (
                "The fair also runs a free programme of talks and film screenings, which "
                "organisers said had drawn more than 15,000 visitors, many of them students."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-20",
        time="01:50",
        slug="gao-convoy-ambush",
        section="africa",
        title="Jihadists kill 11 Malian soldiers in ambush near Gao",
        authors=("Aminata Coulibaly",),
        paragraphs=(
            (
                "Fighters from the al Qaeda-linked group JNIM ambushed a Malian army supply convoy "
                "near Gao on Thursday, killing at least 11 soldiers, two security sources said, in "
                "the latest attack on the road network of the country's north."
            ),
            (
                "The convoy of fuel tankers and troop carriers was hit by a roadside bomb about 60 "
                "kilometres south of the city before fighters riding pickups and motorbikes opened "
                "fire on the vehicles, one of the sources said. Several tankers were set on fire."
            ),
            (
                'The army said in a statement read on state television that it had "valiantly '
                'repelled a terrorist attack" and killed dozens of assailants, but gave a lower '
                "toll of four soldiers dead. Its figures could not be independently verified."
            ),
            (
                "JNIM, known in full as Jama'at Nusrat al-Islam wal-Muslimin, said in a message on "
                "its propaganda channels that it had seized weapons and vehicles. The group has "
                "imposed blockades on several towns and targeted fuel deliveries from neighbouring "
                "countries, causing severe shortages."
            ),
            (
                '"We hear the gunfire and then we wait to see who comes back," said a trader in '
                'Gao reached by telephone, who did not want his name published. "Prices for '
                'everything have doubled since the roads became dangerous."'
            ),
            (
                "Mali's military rulers, who seized power in coups in 2020 and 2021, expelled "
                "French troops and turned to Russian paramilitaries for help, but jihadist "
                "violence has spread across the Sahel."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-20",
        time="03:15",
        slug="kismayo-base-attack",
        section="africa",
        title="Al-Shabaab attacks military base near Somalia's Kismayo",
        authors=("Hodan Farah",),
        paragraphs=(
            (
                "Al-Shabaab militants attacked a military base near Kismayo late on Thursday with "
                "a suicide car bomb and heavy gunfire, killing at least eight soldiers, Somali and "
                "regional officials said."
            ),
            (
                "The attackers rammed an explosives-laden vehicle into the gate of the base, about "
                "25 kilometres north of the southern port city, before fighters tried to storm the "
                "compound, said Colonel Abdikarim Hussein, a Jubaland regional forces commander."
            ),
            (
                '"Our forces repulsed them after a battle of more than two hours. We counted the '
                'bodies of 17 militants outside the wall," Hussein said by telephone. There was no '
                "way to verify his account."
            ),
            (
                "Al-Shabaab claimed responsibility through its Andalus radio station, saying it "
                'had killed "dozens of apostate soldiers" and seized weapons. The group often '
                "exaggerates the casualties it inflicts."
            ),
            (
                "Residents of nearby villages said they heard a huge explosion followed by gunfire "
                'that lasted until the early hours. "The ground shook like an earthquake," said '
                "Mohamed Abdi, a farmer."
            ),
            (
                "The al Qaeda-linked group has been fighting for more than 15 years to topple "
                "Somalia's federal government. Despite offensives backed by the African Union and "
                "US air strikes, it still controls large rural areas of central and southern "
                "Somalia and regularly carries out bombings in Mogadishu."
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-20",
        time="04:05",
        slug="kaya-vdp-attack",
        section="africa",
        title="Militants kill 15 volunteer fighters in Burkina Faso attack",
        authors=("Issouf Sawadogo",),
        paragraphs=(
            (
                "Suspected jihadists killed at least 15 members of a government-backed civilian "
                "militia in an attack on their base near the northern town of Kaya in Burkina Faso "
                "on Thursday, local sources said."
            ),
            (
                "Hundreds of assailants surrounded the post of the Volunteers for the Defence of "
                "the Homeland, known by the French acronym VDP, in the early afternoon and fought "
                "the defenders for several hours, a member of the militia who survived the attack "
                "told Meridian."
            ),
            (
                '"They were too many. They came from three sides and burned everything when they '
                'left," he said, asking not to be named. He said about 20 others were wounded and '
                "taken to the hospital in Kaya."
            ),
            (
                "There was no official comment from the government in Ouagadougou, which rarely "
                "discloses casualty figures and has restricted reporting on the security "
                "situation. JNIM later claimed the attack on its channels."
            ),
            (
                "Burkina Faso's military government has made the recruitment of tens of thousands "
                "of VDP fighters a central part of its strategy against jihadist groups linked to "
                "al Qaeda and the Islamic State, which control large parts of the countryside."
            ),
            (
                "Rights groups have accused both the militants and the volunteer militias of "
                "killing civilians. More than two million Burkinabe have fled their homes, many of "
                "them sheltering in Kaya and other towns in the Centre-Nord region."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-20",
        time="07:10",
        slug="basra-power-cut-protests",
        section="middle-east",
        title="Police arrest 14 as protests over power cuts turn violent in Basra",
        authors=("Zainab al-Moussawi",),
        paragraphs=(
            (
                "Iraqi police arrested 14 people on Thursday night after hundreds of protesters "
                "angered by prolonged electricity cuts blocked roads and tried to storm a "
                "provincial government building in Basra, security officials said."
            ),
            (
                "Demonstrators burned tyres outside the building and hurled stones at riot police, "
                "who responded with tear gas and fired into the air, witnesses said. Health "
                "officials said 23 people, including nine members of the security forces, were "
                "treated for injuries."
            ),
            (
                '"We have had two hours of power a day for a week. Our children cannot study, and '
                'the water pumps do not work," said Haidar Jabbar, a 31-year-old day labourer who '
                "joined the protest in the city's central district."
            ),
            (
                "The provincial governor appealed for calm in a televised address and said he had "
                "ordered an investigation into the outages, which he blamed on damage to "
                "transmission lines and reduced gas supplies to power plants."
            ),
            (
                "Basra produces most of Iraq's oil wealth, but residents have long complained of "
                "poor services, unemployment and polluted water. Protests in the southern city "
                "have frequently turned deadly, most notably in 2018 and 2019."
            ),
            (
                "Iraq relies heavily on imported gas and electricity to run its grid, and supply "
                "has been disrupted repeatedly by payment problems and sanctions-related "
                "restrictions."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-20",
        time="08:55",
        slug="bunia-displacement-camp-attack",
        section="africa",
        title="Militia attack on displacement camp near Bunia kills 18",
        authors=("Esther Ngandu",),
        paragraphs=(
            (
                "Militia fighters armed with machetes and guns attacked a camp for displaced "
                "people near Bunia in northeastern Congo overnight, killing 18 people, most of "
                "them women and children, a local official and the United Nations said on Friday."
            ),
            (
                "The attackers, believed to be members of the CODECO militia, entered the camp at "
                "around 11 p.m. on Thursday, setting shelters on fire and shooting residents as "
                "they fled, said Augustin Ndjabu, a civil society coordinator in Ituri province."
            ),
            (
                '"We found entire families burned inside their huts. It is an unbearable scene," '
                "Ndjabu said. Twelve wounded people were taken to the general hospital in Bunia."
            ),
            (
                "UN peacekeepers based nearby said they had deployed a rapid reaction force that "
                "exchanged fire with the assailants and forced them to withdraw. The mission "
                "condemned the attack as a possible war crime."
            ),
            (
                "CODECO, a loose association of militias drawn mainly from the Lendu ethnic "
                "community, has been accused by the United Nations of killing hundreds of "
                "civilians, many of them from the Hema community, in a long-running conflict over "
                "land and resources in Ituri."
            ),
            (
                'Ituri has been under a "state of siege" since 2021, with military officers '
                "replacing civilian governors, but violence by CODECO, the Islamic State-linked "
                "Allied Democratic Forces and other armed groups has persisted."
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-20",
        time="10:20",
        slug="quetta-train-attack",
        section="asia",
        title="Separatists attack passenger train in Pakistan's Balochistan, killing seven",
        authors=("Ayesha Mengal",),
        paragraphs=(
            (
                "Baloch separatist gunmen opened fire on a passenger train and set off explosives "
                "on the tracks outside Quetta on Friday morning, killing seven people, including "
                "three soldiers travelling as passengers, Pakistani officials said."
            ),
            (
                "The train had left Quetta shortly after dawn and was crossing a remote stretch of "
                "hills when a blast damaged the line and forced it to stop, after which attackers "
                "fired on the carriages, a railway official said."
            ),
            (
                "Security forces reached the scene within an hour and exchanged fire with the "
                "attackers, who fled into the mountains, provincial government spokesman Naveed "
                "Shah Kakar said. Sixteen people were wounded."
            ),
            (
                "The outlawed Baloch Liberation Army claimed responsibility in a statement to "
                'media, saying it had targeted military personnel. "Our fighters do not harm '
                'ordinary passengers," the statement said, a claim contradicted by officials who '
                "said four of the dead were civilians."
            ),
            (
                '"The windows shattered and everyone threw themselves on the floor. A woman next '
                'to me was hit in the arm," passenger Abdul Wahid told a local television channel '
                "from a hospital bed in Quetta."
            ),
            (
                "Separatist groups in Balochistan, Pakistan's largest and poorest province, have "
                "waged an insurgency for decades, demanding a greater share of the region's gas "
                "and mineral resources. Attacks on security forces, trains and Chinese-funded "
                "projects have intensified in recent years."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-20",
        time="12:30",
        slug="nigeria-inflation-slows",
        section="business",
        title="Nigeria's inflation slows for fifth month as food prices ease",
        authors=("Tunde Adebayo",),
        paragraphs=(
            (
                "Nigeria's annual inflation rate slowed for a fifth consecutive month in October "
                "to 17.8 percent, the statistics office said on Friday, helped by a good harvest "
                "and a steadier naira."
            ),
            (
                "Food inflation, which accounts for about half of the consumer price basket, eased "
                "to 19.4 percent from 21.6 percent in September, the National Bureau of Statistics "
                "said. Prices of maize, rice and beans fell in most states as new crops reached "
                "markets."
            ),
            (
                '"The trend is clearly downward, and it gives the central bank room to consider a '
                'modest rate cut early next year," said Ngozi Adeyemi, chief economist at a '
                "Lagos-based investment bank."
            ),
            (
                "The central bank's monetary policy committee is due to meet next week. It has "
                "held its benchmark rate at a high level for most of the year to support the "
                "currency and attract foreign investors to government debt."
            ),
            (
                "Many households remain under strain, however. Transport and rent costs rose again "
                "last month, and wages have not kept pace with prices that roughly doubled after "
                "fuel subsidies were scrapped and the naira devalued in 2023."
            ),
            (
                '"The market women say tomatoes are cheaper now, but I still spend most of my '
                'salary on food and the bus," said Blessing Okoro, a civil servant in Abuja.'
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-20",
        time="13:50",
        slug="kherson-shelling-bus-stop",
        section="europe",
        title="Russian shelling kills three at bus stop in Kherson",
        authors=("Dmytro Savchuk",),
        paragraphs=(
            (
                "Russian artillery shelled a bus stop in central Kherson on Friday morning, "
                "killing three people waiting for a bus and wounding five, Ukrainian officials "
                "said."
            ),
            (
                "The strike hit as people were heading to work shortly after 8 a.m., the head of "
                "the city military administration, Yuriy Tkachenko, said. Photographs he released "
                "showed a shattered shelter, a burned-out minibus and bodies covered with blankets "
                "on the pavement."
            ),
            (
                '"People were simply going to work. There is no military target here, only a bus '
                'stop and a pharmacy," Tkachenko said.'
            ),
            (
                "Kherson, a port city on the Dnipro river, was recaptured by Ukrainian forces in "
                "November 2022 after eight months of Russian occupation. Russian troops withdrew "
                "to the opposite bank, from where they shell the city almost daily with artillery, "
                "drones and glide bombs."
            ),
            (
                "Residents describe a constant danger from small drones that hunt cars and "
                "pedestrians on the streets. Thousands have left, and many who remain are elderly "
                "people who say they have nowhere else to go."
            ),
            (
                '"I heard the explosion from my kitchen and ran outside. A young man was lying in '
                'the road," said Halyna Moroz, 72, who lives opposite the bus stop.'
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-20",
        time="14:40",
        slug="chittagong-cyclone-landfall",
        section="world",
        title="Cyclone makes landfall near Chittagong, forcing mass evacuations",
        authors=("Farhana Rahman",),
        paragraphs=(
            (
                "A tropical cyclone slammed into Bangladesh's southeastern coast near Chittagong "
                "on Friday afternoon, bringing winds of up to 120 kilometres per hour and "
                "torrential rain after authorities moved more than 600,000 people to shelters."
            ),
            (
                "The storm uprooted trees, tore roofs off tin houses and cut power to large parts "
                "of the port city, the Bangladesh Meteorological Department said, warning of tidal "
                "surges of up to three metres in low-lying coastal districts and offshore islands."
            ),
            (
                '"We evacuated people from the most vulnerable areas through the night using '
                "loudspeakers and boats. Our priority now is to keep them in the shelters until "
                'the water recedes," disaster management official Mahbubul Alam said.'
            ),
            (
                "Chittagong's port suspended cargo handling and the city's airport closed all "
                "flights until Saturday morning. At least three people were reported killed by "
                "falling trees, according to local police, although officials said a full picture "
                "would take time to emerge."
            ),
            (
                "Aid agencies expressed particular concern for Rohingya refugees living in crowded "
                "bamboo and tarpaulin camps near Cox's Bazar, south of the landfall area, where "
                "heavy rain raised the risk of landslides."
            ),
            (
                "Bangladesh has sharply reduced deaths from cyclones over the past three decades "
                "through early warning systems and a network of concrete shelters, but scientists "
                "say warming seas are making storms in the Bay of Bengal more intense."
            ),
        ),
    ),
    Story(
        outlet="courier",
        day="2026-11-20",
        time="17:55",
        slug="african-fiction-prize-shortlist",
        section="culture",
        title="Debut novels dominate shortlist for pan-African fiction prize",
        authors=("Sophie Ndlovu",),
        paragraphs=(
            (
                "Four debut novels are among the six books shortlisted for a leading prize for "
                "African fiction, the judges announced on Friday, in what they called an unusually "
                "strong year for new voices."
            ),
            (
                "The shortlist for the Ngoma Prize for Fiction, worth $25,000 to the winner, "
                "includes writers from Nigeria, Zimbabwe, Egypt, Uganda, Cameroon and South "
                "Africa. The winner will be named at a ceremony in Johannesburg in February."
            ),
            (
                "Chair of judges Thandiwe Mokoena, a literary critic, said the panel had read 187 "
                'submissions. "These books are confident, funny and unafraid of difficult '
                "subjects. Several of them could only have been written by people who grew up "
                'online," she said.'
            ),
            (
                "The favourite among booksellers is Ugandan author Miriam Nakato's \"Salt for the "
                'Lake", which follows three generations of women running a fishing business on the '
                "shores of Lake Victoria near Jinja."
            ),
            (
                'Also shortlisted is Egyptian novelist Karim Shawky\'s "The Night Shift", '
                "translated from Arabic, about a group of hospital cleaners in Alexandria during a "
                "summer of power cuts."
            ),
            (
                "The prize was founded a decade ago by a group of publishers to promote books "
                "published on the continent and to help writers reach readers abroad through "
                "translation grants."
            ),
        ),
    ),
    Story(
        outlet="frontline",
        day="2026-11-20",
        time="18:25",
        slug="kenya-tea-auction-prices",
        section="business",
        title="Kenyan tea prices climb at Mombasa auction on weaker supply",
        authors=("Peter Kamau",),
        paragraphs=(
            (
                "Prices for Kenyan black tea rose for a third straight week at the Mombasa auction "
                "this week, as dry weather in key growing areas reduced the volume of leaf on "
                "offer, brokers said on Friday."
            ),
            (
                "The average price climbed to $2.71 per kilogram from $2.58 the previous week, "
                "with best-quality teas from the highlands west of the Rift Valley fetching above "
                "$4, according to a report from an auction broker."
            ),
            (
                "Only about 138,000 packages were offered, nearly a fifth fewer than a month ago, "
                "after a spell of below-normal rainfall in growing regions around Kericho and "
                "Nyeri."
            ),
            (
                '"Buyers from Pakistan and Egypt were very active, and there was strong '
                'competition for the brighter teas," said Lucy Wairimu, a broker. "With less tea '
                'coming in, sellers have the upper hand for now."'
            ),
            (
                "Tea is one of Kenya's biggest export earners along with horticulture and "
                "remittances, and the industry supports hundreds of thousands of smallholder "
                "farmers. Growers have complained for years that low prices and high costs leave "
                "them with little income."
            ),
            (
                "Meteorologists expect rains to return in December, which could lift production "
                "early next year and put pressure on prices again."
            ),
        ),
    ),
    Story(
        outlet="meridian",
        day="2026-11-20",
        time="22:30",
        slug="atlas-sporting-late-winner",
        section="sport",
        title="Late header sends Casablanca side top of Champions League group",
        authors=("Youssef Amrani",),
        paragraphs=(
            (
                "Substitute Anas Belkadi headed a stoppage-time winner as Atlas Sporting of "
                "Casablanca beat Egypt's Nile Stars 2-1 on Friday to go top of their African "
                "Champions League group."
            ),
            (
                "Belkadi, on the pitch for only eight minutes, rose above two defenders to meet a "
                "corner from the right in the 93rd minute, sparking wild celebrations among the "
                "40,000 crowd at the Mohammed V Stadium."
            ),
            (
                "Atlas had taken a first-half lead through a long-range effort from midfielder "
                "Hamza Lahlou, before Nile Stars striker Omar Fathy turned in a low cross early in "
                "the second half to level."
            ),
            (
                '"We never stopped believing. The coach told me to attack the near post and the '
                'ball just found my head," Belkadi said after the match.'
            ),
            (
                "Nile Stars coach Tarek Mansour complained that the corner should not have been "
                'awarded. "The ball came off their player. It is painful to lose a game like this '
                'on a decision like that," he said.'
            ),
            (
                "Atlas have seven points from three games, two ahead of Mwanza City, who drew 0-0 "
                "with Angola's Kwanza United on Thursday. The top two in each group reach the "
                "quarter-finals."
            ),
        ),
    ),
)
