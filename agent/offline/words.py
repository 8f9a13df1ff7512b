"""Word tables of the offline director: numbers, people, clothes, places, fillers."""

from __future__ import annotations

from storyreel.tools.vocabulary import (
    ShotSize,
)


def _words(text: str) -> set[str]:
    """A word table written as one string."""
    return set(text.split())


_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
NUMBERS = {word: value for value, word in enumerate(_NUMBER_WORDS.split(" "))}
_ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth"
ORDINALS = {word: value for value, word in enumerate(_ORDINAL_WORDS.split(" "), start=1)}
N = "(?:" + "|".join([r"\d+", *sorted(NUMBERS, key=len, reverse=True)]) + ")"
FEMALE = _words(
    "woman women girl lady mother mom mum daughter sister wife grandmother grandma granny aunt "
    "queen princess actress waitress niece widow nun bride girlfriend heroine landlady "
    "granddaughter stepdaughter stepmother stepsister goddaughter godmother fiancee mistress "
    "duchess countess empress hostess stewardess headmistress schoolgirl postwoman policewoman "
    "businesswoman chairwoman sportswoman horsewoman madam matron nanny governess midwife "
    "ballerina seamstress manageress priestess nonna nana mummy mama auntie aunty gran "
    "grandmom grandmama abuela babushka mom mommy ma sis gal lass maiden damsel diva girls"
)
MALE = _words(
    "man men boy father dad son brother husband grandfather grandpa uncle king prince waiter "
    "nephew widower monk groom boyfriend gentleman guy lad hero landlord "
    "grandson stepson stepfather stepbrother godson godfather fiance duke count emperor "
    "headmaster schoolboy bloke chap fella dude sir mister grandad granddad nonno papa "
    "daddy pa abuelo bro boys lads gents"
)
NOT_MEN = {"human", "german", "roman", "shaman", "ottoman", "talisman", "caiman"}
_NEUTRAL_PEOPLE = _words(
    "person child kid teen teenager student sailor doctor nurse detective soldier artist "
    "painter writer musician stranger traveller traveler keeper farmer baker teacher officer "
    "pilot captain driver friend neighbour neighbor figure scientist chef cook singer dancer "
    "poet thief spy guard knight witch wizard robot fisher priest orphan baby youth maid "
    "butler clerk hermit dog cat"
)
PEOPLE = FEMALE | MALE | _NEUTRAL_PEOPLE
CLOTHES = _words(
    "jewellery jewelry bangles bangle anklet anklets nath chooda bindi tikka maang-tikka "
    "sequins sequin bling makeup make-up lipstick mascara eyeliner henna mehndi kohl rouge "
    "dupatta saree sari salwar kameez kurta sherwani dhoti lungi agbada gele kente boubou "
    "hanbok qipao cheongsam kaftan caftan djellaba abaya hijab niqab burqa turban serape "
    "sombrero rebozo akubra moleskins stetson cowboy-hat bolo-tie chaps "
    "onesie dashiki cagoule crocs sliders trackies shalwar lehenga rebozo huipil guayabera "
    "fez tee boilersuit boiler-suit tutu lifejacket life-jacket oilskins sou'wester specs "
    "coat raincoat jacket sweater jumper dress suit shirt t-shirt hat cap scarf boot jeans "
    "trousers pants skirt uniform hoodie cardigan gown robe overalls oilskin cloak vest blouse "
    "shoe apron parka tuxedo pyjamas pajamas sneaker glove helmet mac trench beanie tie "
    "waistcoat sari kimono mask glasses sunglasses"
)
PLACES = _words(
    "pad launchpad launch-pad compound ger encampment estate terraces paddies paddy-field "
    "pension silo airfield pithead shipyard "
    "harbour harbor port pier quay dock docks jetty wharf marina beach shore coast cliff cliffs "
    "sea ocean lake river bridge lighthouse boat ship cabin house cottage farmhouse farm barn "
    "kitchen bedroom bathroom hallway hall corridor attic cellar basement garage garden yard "
    "porch balcony roof rooftop street road alley lane square plaza market station platform "
    "train airport church chapel cathedral temple school classroom library museum hospital "
    "office shop store cafe bar pub restaurant diner hotel motel lobby apartment flat studio "
    "chippy takeaway caff canteen "
    "warehouse factory forest woods park field meadow hill mountain valley desert island "
    "village town city castle palace tower prison courtyard cemetery graveyard theatre theater "
    "cinema stage tunnel cave camp tent ruins dunes jungle swamp bakery bakehouse "
    "ward precinct vineyard marquee aisle gym playground carriage compartment shelter deck "
    "cockpit airlock lab laboratory clinic pharmacy orchard farmyard stable kitchen diner "
    "canteen bunker dungeon crypt attic loft den study parlour parlor salon spa mill "
    "workshop forge smithy quarry harbourside seafront promenade boardwalk fjord bay cove "
    "glacier summit ridge slope cabin hut shack inn tavern ballroom hallway foyer chapel "
    "mosque synagogue courtroom court morgue newsroom studio backstage "
    "classroom nursery ward icu hangar runway terminal subway underground metro tram bus "
    "ferry yacht raft canoe barge trawler sub submarine station spaceship spacecraft "
    "rink arena stadium gymnasium racetrack pitch ballpark velodrome casino nightclub "
    "disco lounge saloon brewery distillery winery dairy ranch homestead croft plantation "
    "greenhouse conservatory allotment nursery apiary henhouse coop pigsty kennel kennels "
    "zoo aquarium circus fairground carnival funfair arcade mall supermarket bookshop "
    "bookstore boutique salon barbershop laundrette laundromat launderette bodega kiosk "
    "stall stalls bazaar souk bank post-office embassy consulate "
    "parliament townhall hall city-hall police-station firehouse firestation garrison "
    "barracks fort fortress citadel monastery convent abbey cloister shrine pagoda mosque "
    "observatory planetarium gallery auditorium concert-hall lecture-hall campus "
    "dormitory dorm bunkroom boathouse pavilion bandstand gazebo greenhouse shed outhouse "
    "barnyard paddock pasture vineyard olive-grove grove copse thicket heath moor moors "
    "moorland marsh wetlands bog fen estuary delta creek stream brook waterfall canyon "
    "gorge ravine plateau prairie steppe savanna tundra volcano crater oasis lagoon reef "
    "atoll peninsula headland lakeside riverbank riverside waterfront embankment canal "
    "towpath footpath driveway sidewalk pavement crossroads junction "
    "intersection roundabout highway motorway freeway overpass underpass carpark "
    "garage gas-station motorhome caravan trailer campsite campground bivouac "
    "igloo yurt hovel slum tenement townhouse mansion manor villa bungalow chalet lodge "
    "hostel guesthouse farmstead sanatorium asylum orphanage hospice infirmary "
    "pharmacy laboratory greenhouse hothouse kitchenette pantry larder scullery "
    "boiler-room engine-room storeroom stockroom showroom classroom staffroom "
    "boardroom courtroom bathroom washroom cloakroom changing-room locker-room dressing-room "
    "waiting-room bar-room taproom schoolyard playground schoolhouse kindergarten "
    "university college seminary stables smithy tannery foundry colliery "
    "sawmill windmill watermill lighthouse signal-box signalbox depot terminus concourse "
    "checkpoint quayside dockside harbourfront wharfside seawall breakwater "
    "lido swimming-pool sauna bathhouse hammam steam-room "
    "services footbridge stairwell staircase stairway landing room toilets loo restroom "
    "outfield viaduct arch archway railway-arch flyover car-park parking-lot lay-by "
    "forecourt petrol-station filling-station truck-stop service-station rest-stop "
    "control-room call-centre call-center cubicle open-plan reception mezzanine gallery "
    "penthouse bedsit basement-flat rooftop-bar wine-bar sports-hall village-hall "
    "community-centre town-hall bus-station bus-shelter tram-stop taxi-rank cab-rank "
    "launderette chip-shop corner-shop newsagents off-licence "
    "galley module cupola terrace verandah veranda patio hacienda stoop speakeasy tide-pool "
    "rockpool rock-pool seabed kelp-forest shallows gravel-lot backyard back-yard front-yard "
    "booth nave vestry sacristy chancel dance-floor green-room wheelhouse cargo-hold bilge "
    "quarterdeck mess-hall refectory atrium fire-escape alleyway backstreet side-street"
) | {"living room", "fish market", "train station", "bus stop", "lamp room", "sea wall"}
PLACES |= {w.replace("-", " ") for w in PLACES if "-" in w}
COMMON = _words(
    "a an the and or but then next finally now so we i you it its this that these those there "
    "here she he they her him his their them our my your me us who what when where while as "
    "at in on of to from with by for into onto over under after before later meanwhile "
    "suddenly slowly quickly outside inside open cut close end show shot shots camera wide "
    "medium extreme establishing tracking start begin fade dissolve make change move lock "
    "unlock render export undo redo use select add delete remove compare call meet "
    "introducing scene location setting int ext night day dawn dusk morning evening noon "
    "sunset sunrise rain snow wind waves boats sea water light sun sky everything nothing "
    "someone everyone nobody all both no yes ok okay please thanks let's lets another one "
    "again same new old young little big film movie story take pan tilt zoom dutch dolly "
    "push pull low high over eye bird"
)
UNDO_WORDS = _words(
    "that it this please the last change changes edit edits step steps thing time times twice "
    "again sorry pls plz thanks thx oops"
)
ANSWER_WORDS = _words(
    "i mean meant it's its it is was she he her him they them the one ones yes oh sorry that's "
    "please both all everyone everybody neither nobody none no first second last and of who"
)
RENDER_FILLER = _words(
    "it that this them everything all of the whole film movie story thing shots shot please now "
    "again for me out a new take takes fresh and so far what changed is there preview previews up"
)
BACKENDS = {"previz": "previz", "animatic": "previz", "wan": "wan", "ltx": "ltx",
             "ltx-video": "ltx", "cogvideox": "cogvideox", "cogvideo": "cogvideox"}  # fmt: skip
LENSES = {"wideangle": 24, "wide": 24, "fisheye": 12, "telephoto": 135, "long": 135,
           "portrait": 85, "macro": 100, "normal": 50, "standard": 50}  # fmt: skip
SIZE_ORDER = list(ShotSize)
GENDER_OF = {"she": "f", "her": "f", "hers": "f", "herself": "f",
              "he": "m", "him": "m", "his": "m", "himself": "m"}  # fmt: skip


SIZE_WORDS = {"ECU": "an extreme close-up", "CU": "a close-up", "MCU": "a medium close-up",
               "MS": "a medium shot", "MLS": "a medium-long shot", "LS": "a wide shot",
               "ELS": "an establishing shot"}  # fmt: skip
ANGLE_WORDS = {"low": "from a low angle", "high": "from a high angle", "overhead": "from above",
                "worms_eye": "from the ground", "dutch": "at a tilted angle",
                "ots": "over the shoulder", "eye_level": "at eye level", "profile": "in profile",
                "back": "from behind"}  # fmt: skip
PHRASES = {"time_of_day": "at {}", "duration_s": "{:g} seconds long", "lens_mm": "shot on {} mm",
            "depth_of_field": "with {} focus", "dialogue": 'with the line "{}"',
            "location": "at the {}", "key_light_side": "lit from the {}",
            "transition": "with a {}", "continues_from": "continuing from shot {}"}  # fmt: skip


# --- people: kin, roles, titles, looks (agent/offline/cast.py) ----------------------------
KIN = _words(
    "mother mom mum mama mommy mummy father dad daddy papa son daughter brother sister husband "
    "wife grandmother grandma granny gran nana nan nonna grandfather grandpa grandad granddad "
    "gramps nonno uncle aunt auntie aunty niece nephew cousin grandson granddaughter stepmother "
    "stepfather stepson stepdaughter boyfriend girlfriend fiance fiancee partner baby"
)
KIN_SAME = {"mom": "mother", "mum": "mother", "mama": "mother", "mommy": "mother",
            "mummy": "mother", "dad": "father", "daddy": "father", "papa": "father",
            "grandma": "grandmother", "granny": "grandmother", "gran": "grandmother",
            "nana": "grandmother", "nan": "grandmother", "nonna": "grandmother",
            "grandpa": "grandfather", "grandad": "grandfather", "granddad": "grandfather",
            "gramps": "grandfather", "nonno": "grandfather", "auntie": "aunt",
            "aunty": "aunt", "kid": "child", "lad": "boy", "lass": "girl", "guy": "man",
            "lady": "woman", "teen": "teenager", "cop": "officer", "doc": "doctor"}  # fmt: skip
ANIMALS = _words(
    "carabao yak zebu water-buffalo lapphund malamute samoyed shepherd mongrel stray "
    "donkeys cockatoo macaw parakeet tortoiseshell gelding filly colt ram ewe billy-goat "
    "nanny-goat sow boar hog heifer steer bullock kid-goat cockerel gander drake "
    "crow raven dog puppy cat kitten horse pony fox owl terrier collie spaniel retriever "
    "labrador rabbit bird parrot seagull gull wolf bear deer goat sheep cow pig donkey mouse "
    "rat duck goose swan eagle hawk pigeon robin monkey lion tiger dragon hound mutt "
    "corgi beagle husky poodle pug dachshund sheepdog alsatian greyhound whippet lurcher "
    "spaniel setter pointer boxer bulldog rottweiler chihuahua dalmatian doberman mastiff "
    "tabby moggy tomcat kitty puppy pup foal calf lamb kid piglet hen chicken rooster "
    "cockerel budgie canary hamster guinea-pig ferret tortoise turtle lizard snake gecko "
    "mule stallion mare ox bull buffalo camel llama alpaca reindeer elk moose squirrel "
    "hedgehog badger otter seal dolphin whale heron stork magpie jackdaw starling sparrow"
)
NATIONAL_NOUNS = {
    "dane": "danish", "swede": "swedish", "icelander": "icelandic", "brit": "british",
    "englishman": "english", "englishwoman": "english", "scot": "scottish",
    "scotsman": "scottish", "scotswoman": "scottish", "irishman": "irish",
    "irishwoman": "irish", "welshman": "welsh", "welshwoman": "welsh",
    "frenchman": "french", "frenchwoman": "french", "dutchman": "dutch",
    "dutchwoman": "dutch", "spaniard": "spanish", "turk": "turkish", "aussie": "australian",
    "argie": "argentinian", "geordie": "geordie", "scouser": "liverpool",
}  # fmt: skip
"""People called by their country with a noun that is not its adjective ("the dane"), and
the word a description uses ("a tall Danish photographer"). (Nouns that are adjectives too,
"the german", are left out: "the german shepherd", "the chinese restaurant".)"""
ROLES = _words(
    "porter surgeon conductor commander engineer stranger teacher captain detective sheriff "
    "inspector sergeant officer agent professor nurse doctor courier bride groom priest vicar "
    "waitress waiter bartender barman barista fisherman farmer baker butcher shopkeeper "
    "postman postwoman mechanic soldier sailor pilot guard janitor caretaker cleaner manager "
    "boss chef cook mayor judge lawyer reporter journalist photographer student runner "
    "climber ranger hiker driver cabbie busker beggar tramp hunter keeper lighthouse-keeper "
    "witch wizard queen king prince princess knight monk nun robot alien ghost child kid boy "
    "girl man woman lady gentleman teenager teen youth toddler baby old-timer customer "
    "passenger traveller traveler tourist guest neighbour neighbor friend villain hero heroine "
    "thief burglar spy assassin astronaut singer dancer musician drummer guitarist painter "
    "artist writer poet actor actress ferryman pianist volcanologist boxer trainer referee "
    "arbiter owner beekeeper projectionist attendant lifeguard librarian shepherd florist "
    "tailor paramedic firefighter fireman policeman policewoman usher doorman "
    "bouncer cashier receptionist secretary gardener landlady landlord hostess plumber "
    "electrician carpenter smuggler pirate warden prisoner inmate miner diver navigator "
    "scientist technician intern grandmaster champion opponent umpire witness suspect "
    "saxophonist trumpeter violinist cellist bassist comedian magician clown juggler "
    "acrobat ringmaster volunteer organiser organizer instructor manageress housekeeper "
    "nanny governess midwife surgeon pharmacist chemist ranger skipper deckhand crewman "
    "dj mc emt medic vet dentist optician barber hairdresser stylist model host presenter "
    "announcer commentator coach captain cop detective constable guide porter courier "
    "delivery-man deliveryman milkman paperboy newsagent grocer vendor trader merchant "
    "seamstress weaver blacksmith potter butler maid footman chauffeur valet bellboy "
    "concierge croupier dealer bookie jockey groundskeeper handyman builder labourer "
    "welder rigger roadie sound-man cameraman camerawoman director producer editor "
    "photographer busboy dishwasher sommelier pastry-chef baker's-boy apprentice postie "
    "lollipop-lady crossing-guard paperboy papergirl milkmaid shepherdess goatherd cowboy "
    "cowgirl rancher trucker lorry-driver cabby taxi-driver bus-driver rival protagonist "
    "antagonist narrator sidekick curator caller widow widower sarge bosun boatswain purser "
    "foreman forewoman guv ref helm coxswain shearer deckhand steward stewardess quizmaster "
    "compere bouncer doorman usher groundsman greenkeeper lollipop-man dinner-lady "
    "receptionist cabbie enemy nemesis arch-enemy archenemy sweetheart fiancee fiance"
)
NOT_AGENTS = _words(
    "weather water answer number order letter paper corner river tower summer winter border "
    "colour color chapter power matter centre center hour flavour flavor error mirror door "
    "floor motor tractor sector factor after other under over never ever whether"
)
"""Words ending like a doer ("bowler", "scorer") that are not people."""
GENERIC_PEOPLE = _words(
    "man woman men women boy girl lady gentleman guy person people child kid baby figure "
    "someone somebody teenager teen youth toddler crowd everyone"
)
# Not "earl" or "duke": Earl and Duke are names people are called.
TITLES = {"mr": "", "mrs": "", "ms": "", "miss": "", "mx": "", "sir": "", "dame": "",
          "madame": "", "monsieur": "", "señor": "", "senor": "", "herr": "", "frau": "",
          "dr": "a doctor", "doctor": "a doctor", "prof": "a professor",
          "professor": "a professor", "detective": "a detective", "det": "a detective",
          "inspector": "an inspector", "sergeant": "a sergeant", "sgt": "a sergeant",
          "officer": "an officer", "constable": "a constable", "agent": "an agent",
          "captain": "a captain", "capt": "a captain", "commander": "a commander",
          "lieutenant": "a lieutenant", "lt": "a lieutenant", "major": "a major",
          "colonel": "a colonel", "general": "a general", "admiral": "an admiral",
          "private": "a soldier", "corporal": "a corporal", "engineer": "an engineer",
          "pilot": "a pilot", "nurse": "a nurse", "father": "a priest", "sister": "a nun",
          "brother": "a monk", "reverend": "a priest", "rev": "a priest", "judge": "a judge",
          "chef": "a chef", "coach": "a coach", "president": "a president", "king": "a king",
          "queen": "a queen", "prince": "a prince", "princess": "a princess",
          "lord": "a lord", "lady": "a lady", "uncle": "uncle", "aunt": "aunt",
          "auntie": "aunt", "grandma": "grandma", "grandpa": "grandpa", "granny": "granny",
          "nana": "nana", "nonna": "grandmother", "nonno": "grandfather", "old": "old",
          "young": "young", "little": "little", "big": "big", "baby": "a baby",
          "cousin": "a cousin", "count": "a count", "countess": "a countess",
          "baron": "a baron", "baroness": "a baroness",
          "duchess": "a duchess", "saint": "a saint"}  # fmt: skip
BODY = _words(
    "fade buzzcut buzz-cut cornrows dreads mullet locs twists topknot piercing nose-ring earring "
    "hair beard moustache mustache stubble eyes eye head face skin scar scars tattoo tattoos "
    "fingers hands hand nails freckles limp bun braid braids plait ponytail curls fringe bangs "
    "teeth smile voice build frame cheeks nose lips mouth chin jaw brow eyebrows forehead "
    "wrinkles complexion shoulders legs arms figure posture gait haircut undercut mohawk "
    "sideburns dreadlocks afro goatee tan shoulder neck plaits pigtails bob crewcut "
    "knuckles ears ear wrist wrists arm leg belly paunch gut mole birthmark dimples "
    "hairline quiff perm paw paws tail snout whiskers hoof hooves wing wings beak claws claw "
    "mane fur"
)
COLOURS = _words(
    "red green blue yellow orange purple pink black white grey gray brown navy teal maroon "
    "crimson scarlet beige cream ivory champagne gold golden silver plum violet lilac olive "
    "khaki tan turquoise burgundy charcoal dark light pale bright blonde blond auburn ginger "
    "mustard emerald cobalt indigo magenta copper bronze rust salmon coral mint lavender "
    "striped spotted checked plaid tartan floral"
)
LOOKS = _words(
    "tall short tiny small little big huge large thin skinny slim slender lanky wiry stocky "
    "heavyset plump chubby fat stout burly muscular broad petite old older young younger "
    "elderly aged middle-aged ancient grey-haired white-haired bald balding bearded "
    "clean-shaven scruffy neat tidy messy pretty handsome beautiful plain ugly gaunt "
    "weathered wrinkled freckled pale tanned dark fair glossy shiny sleek mangy grizzled "
    "upright hunched stooped frail sturdy quiet shy fierce stern kind gentle serious wild "
    "tough fit athletic curly wavy "
    "straight long shaved scrawny hulking giant enormous massive tiny wee heavy "
    "lightweight heavyweight middleweight featherweight welterweight bony rangy hefty "
    "portly overweight lean sinewy rosy ruddy unshaven dishevelled disheveled dapper "
    "shabby elegant barefoot bespectacled toothless scarred sunburnt teenage broad-shouldered "
    "heavy-set thickset thick-set stocky round round-faced moon-faced sharp-faced long-faced "
    "red-faced pale-faced rosy-cheeked blue-eyed brown-eyed green-eyed grey-eyed wide-eyed "
    "blonde blond red-haired dark-haired fair-haired curly-haired long-haired short-haired "
    "pot-bellied big-bellied barrel-chested slight willowy gangly gawky leggy tattooed pierced "
    "wrinkly craggy lined haggard tired sleepy nervous anxious cheerful grumpy jolly smiley "
    "bossy timid bold loud nosy fussy prim proper posh scruffy grubby dusty muddy sweaty"
)
NATIONALITIES = _words(
    "afghan albanian algerian american andalusian angolan argentine argentinian armenian "
    "australian austrian azerbaijani bangladeshi basque bavarian belarusian belgian bengali "
    "bolivian bosnian brazilian breton british bulgarian burmese cambodian cameroonian "
    "canadian caribbean catalan chilean chinese colombian congolese cornish croatian cuban "
    "cypriot czech danish dominican dutch ecuadorian egyptian english eritrean estonian "
    "ethiopian european fijian filipino filipina finnish flemish french gambian georgian "
    "german ghanaian glaswegian greek guatemalan haitian hawaiian honduran hungarian "
    "icelandic indian indonesian iranian iraqi irish israeli italian ivorian jamaican "
    "japanese jordanian kazakh kenyan korean kosovan kurdish kuwaiti laotian latvian "
    "lebanese liberian libyan lithuanian malaysian maltese maori mexican moldovan mongolian "
    "moroccan mozambican namibian neapolitan nepalese nepali nicaraguan nigerian norwegian "
    "pakistani palestinian panamanian paraguayan persian peruvian polish portuguese "
    "puerto-rican romanian russian rwandan samoan saudi scottish scots senegalese serbian "
    "sicilian sierra-leonean singaporean slovak slovenian somali spanish sri-lankan "
    "sudanese swedish swiss syrian taiwanese tamil tanzanian thai tibetan tongan "
    "trinidadian tunisian turkish ugandan ukrainian uruguayan uzbek venezuelan vietnamese "
    "welsh yemeni yoruba igbo zambian zimbabwean geordie scouse mancunian cockney "
    "londoner yorkshire bajan antiguan guyanese surinamese cape-verdean"
)
"""Where people are from: a description, never a name ("Ines, Portuguese, 40s")."""
NOT_NAMES = (
    _words(
        "myself yourself himself herself "
        "interior exterior int ext static handheld later meanwhile wide close closeup medium "
        "establishing insert pov ots reverse angle cut fade dissolve smash match montage "
        "tracking dolly crane pan tilt zoom push pull slow fast quick then next finally first "
        "last characters character cast people persons setting scene shot shots sequence "
        "meanwhile suddenly outside inside god yes no ok okay hi hello hey well oh actually "
        "maybe also too title film movie story three two four five several some "
        "backlit backlight silhouette silhouetted moonlight sunlight lamplight candlelight light "
        "lit lighting key fill rim hard soft warm cool cold harsh golden blue dark bright shadow "
        "shadows haze fog smoke rain snow wind dusk dawn night noon morning evening sunset sunrise "
        "ecu cu mcu ms mls ls els ws ews aerial drone overhead birdseye handheld steadicam "
        "tripod lens focus shallow deep zoom dolly truck crane jib pedestal orbit arc tilt roll "
        "slow slowly fast quick still static locked frame framing shot angle low high dutch "
        "insert cutaway reverse pov two-shot wide establishing close-up closeup medium extreme "
        "interior exterior int ext day sound music silence cut fade dissolve top profile side "
        "front rear pov bird birds worm worms eyeline eye-level level over-the-shoulder two-shot "
        "master coverage close closer wider tighter push pull pan tilt whip snap crash match "
        "headlights headlight torch torchlight spotlight streetlight neon glare "
        "teens twenties thirties forties fifties sixties seventies eighties nineties context "
        "notes note backstory background"
    )
    | NATIONALITIES
)
CLOTHES |= _words(
    "scrubs scrub coveralls headset shawl veil umbrella bag backpack satchel rucksack "
    "overcoat anorak fleece gilet poncho tunic leggings shorts sandals slippers loafers "
    "heels trainers boots wellies wellingtons bonnet beret fedora stetson bowler turban "
    "headscarf bandana hijab earrings necklace bracelet brooch belt suspenders gloves "
    "mittens lanyard armour armor jumpsuit flight-suit tracksuit bodysuit uniform costume "
    "outfit clothes pinafore smock cassock monocle spectacles goggles leotard blazer towel "
    "respirator headphones earmuffs tights stockings jersey singlet kilt sash corset "
    "dungarees pendant locket cufflinks bowtie cravat sweatshirt sweatpants joggers "
    "windbreaker peacoat duffel trilby balaclava headband hairband ribbon clogs brogues "
    "moccasins flip-flops plimsolls crown tiara medal cape sombrero kippah niqab abaya "
    "kaftan sarong tabard wetsuit hi-vis cane crutch crutches eyepatch wellington visor "
    "garters braces curlers dressing-gown nightie nightgown pyjama bikini swimsuit whistle "
    "stopwatch pearls bottoms top tops vest-top tank-top polo polo-shirt turtleneck "
    "rollneck polo-neck fleece windcheater raincape mackintosh greatcoat frockcoat "
    "tailcoat dinner-jacket overshirt flannel cords corduroys chinos slacks culottes "
    "petticoat slip camisole kimono hakama dhoti lungi kurta salwar cheongsam qipao hanbok "
    "dirndl lederhosen poncho serape shoes boot trainer sneakers espadrilles moccasin "
    "pumps stilettos wedges mules galoshes waders gumboots overboots snowsuit ski-suit "
    "bib apron pinny overall coverall labcoat lab-coat habit wimple surplice robes gown "
    "toga sheepskin fur furs leather leathers denim tweed wool cashmere silk satin velvet "
    "lace linen cotton corduroy sequinned raincoats coats jackets hats caps scarves dresses "
    "shirts skirts suits uniforms aprons cardigan cardigans jumper jumpers sweater sweaters "
    "beanies hoodies tabi watch wristwatch rings ring glasses goggles hardhat hard-hat "
    "helmet chef's whites whites headlamp head-torch headtorch lanyard badge name-tag "
    "backpack rucksack daypack tote handbag purse wallet briefcase skates roller-skates "
    "ice-skates skate pads knee-pads elbow-pads shin-pads gumshield mouthguard wristbands "
    "wristband sweatband headgear bodywarmer body-warmer gilet collar harness leash muzzle "
    "saddle bridle dog-coat nametag name-tag tag earbuds earphones airpods headphones "
    "hearing-aid hearing-aids"
)
GARMENT_PARTS = _words(
    "sleeve sleeves collar collars cuff cuffs hem lapel lapels pocket pockets button buttons "
    "zip zipper patch patches hood laces buckle buckles stripes studs sequins"
)
