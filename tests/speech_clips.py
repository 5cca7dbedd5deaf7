"""Ad-like speech clips in many languages, spoken by espeak-ng, for the English-only language check.

The texts were written (natively for each language, not translated word for word) before the check
existed, and each text belongs once and for all to the dev part (tune on it) or the held-out part (only
measure on it): texts alternate dev, held-out, dev, ... within each list. Every text is spoken in a few
voices and speeds; some clips get a quiet music bed, as ads often have one."""

# ruff: noqa: RUF001 - Turkish is written with the dotless i

from __future__ import annotations

import io
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 22050  # espeak-ng's output rate
PAUSE_S = 0.5  # between the two languages of a mixed clip

ENGLISH = [
    "Dinner in fifteen minutes, without the stress. Our meal kits bring fresh ingredients and simple recipes "
    "straight to your door. Pick from thirty new dishes every week, skip any week you like, and get your first "
    "box half price today.",
    "Tired of workouts you never finish? FitPulse builds a plan around your schedule, your goals and your "
    "equipment. Ten minutes a day is enough to start. Download the app now and try every program free for two weeks.",
    "Your skin deserves better than harsh chemicals. Glow Botanics uses plant oils and gentle acids to clear, "
    "smooth and brighten in just four weeks. Thousands of customers have already made the switch. Order today "
    "and get free shipping.",
    "Still sending invoices by hand? Ledgerly creates, sends and tracks them automatically, and reminds your "
    "clients when payment is due. Small businesses save about six hours a month. Start your free trial, no "
    "credit card required.",
    "Meet the running shoe that feels like a cloud. Lightweight foam, a breathable knit upper and grip that "
    "holds on wet roads. Runners love it for long weekends and quick morning laps. Find your size online and "
    "walk in comfort.",
    "Coffee this good should not be this easy. Our roasters pick beans from small farms, roast them every "
    "Monday and ship them the same day. Choose your grind, choose how often, and cancel any time you want.",
    "Learn Spanish on your lunch break. Short lessons, real conversations and a friendly tutor who listens. "
    "After one month, most learners can order dinner and ask for directions with confidence. Join today and "
    "your first lesson is on us.",
    "Home insurance that actually answers the phone. Get a quote in two minutes, file a claim from the app, "
    "and talk to a real person whenever something goes wrong. Switch today and save up to twenty percent on "
    "your policy.",
    "A sofa that fits through any door. Our modular pieces arrive in small boxes and click together in "
    "minutes, no tools needed. Mix colours, add a seat later, and enjoy a hundred nights to decide if you love it.",
    "Your dog deserves real food. We cook fresh meals with meat and vegetables, portion them for your pup and "
    "deliver them frozen every two weeks. Vets recommend it, and picky eaters finish the bowl. Try a starter "
    "box today.",
    "Electric driving just got easier. The new Volta hatchback charges to eighty percent in half an hour and "
    "goes three hundred miles on a full battery. Book a test drive this weekend and see why drivers are switching.",
    "Hear every detail and nothing else. These wireless headphones block the noise of trains, planes and open "
    "offices, and the battery lasts forty hours. Fold them, pack them and take them anywhere. Now twenty "
    "percent off for a limited time.",
    "Wake up without the back pain. Our mattress adapts to the way you sleep, keeps you cool all night and "
    "comes rolled in a box. Sleep on it for a hundred nights, and if you do not love it, we will pick it up for free.",
    "Want to change careers this year? Our online data course teaches you the skills employers ask for, with "
    "real projects and a mentor who reviews your work. Most graduates land a new role within six months. "
    "Enrolment closes on Friday.",
    "Movie night, sorted. Stream thousands of films and series on any screen, download them for the plane and "
    "share one account with the whole family. New releases arrive every Friday. Start your first month for "
    "just one dollar.",
    "Bring the outdoors in. We deliver healthy houseplants in handmade pots, with care cards that tell you "
    "exactly how much water they need. Perfect for gifts or for your own desk. Order before noon for delivery "
    "tomorrow.",
    "Glasses you will actually want to wear. Try five frames at home for free, keep the ones you love, and send "
    "the rest back with the prepaid label. Every pair comes with anti glare lenses and a one year warranty.",
    "Banking without the fees. Open an account in five minutes, get a debit card that works abroad, and see "
    "every payment the moment it happens. No monthly charges, no hidden costs. Download the app and join two "
    "million happy customers.",
    "The weekend getaway you have been putting off is closer than you think. Find hotels, cabins and beach "
    "houses with free cancellation, and book in under a minute. Members save an extra ten percent. Plan your "
    "escape today.",
    "Clean floors without lifting a finger. This robot vacuum maps your home, avoids cables and socks, and "
    "empties itself for up to sixty days. Control it from your phone while you are at work. Order now and get "
    "a spare brush set free.",
    "Your first home is closer than you think. Our mortgage advisors compare over ninety lenders to find you "
    "the lowest rate, and the advice is completely free. Book a call today and get your agreement in principle "
    "within a day.",
    "Stop guessing what to cook. Scan the food in your fridge and our app suggests quick recipes that use it "
    "all, so nothing goes to waste. Families save around forty dollars a week. Download it free and cook "
    "something new tonight.",
    "Level up your game night. This new board game is quick to learn, full of twists and perfect for two to "
    "six players. Every round takes about twenty minutes. Order now and get the expansion pack free while "
    "stocks last.",
    "Grow your small business with a website that sells. Choose a template, add your products and start taking "
    "payments today. No coding, no design skills, just results. Get your first three months at half price.",
    "Protect what matters most. Our smart doorbell shows you who is at the door, even when you are away, and "
    "alerts you the moment a parcel arrives. Installation takes ten minutes. Buy one this week and get a year "
    "of cloud storage included.",
    "Fresh flowers, every Friday. Our florists design a new bouquet each week with seasonal stems from local "
    "growers. Pause or cancel whenever you like, and send one to someone you love. Use the code BLOOM for your "
    "first delivery free.",
    "Kids love reading when the stories are about them. Our personalised books put your child's name and face "
    "in every adventure. Printed on thick paper and ready in five days. Create your book today and make "
    "bedtime magical.",
    "Sore muscles after training? This massage gun reaches deep into tired legs and shoulders, with five speeds "
    "and a whisper quiet motor. Athletes use it before and after every session. Order today and recover faster "
    "tomorrow.",
    "Take better photos with the phone you already have. Our ten lesson course shows you light, framing and "
    "editing in simple steps. Over fifty thousand students have joined. Sign up this week and get the editing "
    "presets included.",
    "Summer is coming, and so is our biggest sale. Swimwear, sandals and sunglasses are up to fifty percent off "
    "this weekend only. Free returns on every order. Shop the collection now before your size sells out.",
    "Make your morning smoothie in thirty seconds. This blender crushes ice, frozen fruit and nuts, and cleans "
    "itself with a drop of soap. It fits on any counter and comes with two travel cups. Order now with free "
    "delivery.",
    "Save for the future without thinking about it. Our app rounds up every purchase and invests the spare "
    "change in a diversified fund. Start with as little as five dollars. Your future self will thank you.",
    "Guitar lessons that fit your life. Learn your favourite songs with video lessons that listen to you play "
    "and tell you what to fix. Beginners play their first song in a week. Try it free for seven days.",
    "Hydration that tastes great. Our electrolyte drink mix has no sugar, no artificial colours and four "
    "refreshing flavours. Drop one stick in your bottle before the gym or a long hike. Subscribe and save "
    "fifteen percent.",
    "Manage your team from one simple board. Plan projects, share files and see who is working on what, all in "
    "one place. Teams that switch finish projects a week sooner. Sign up free for teams of up to ten people.",
    "Sleep better tonight. Our weighted blanket calms your body and helps you fall asleep faster, the natural "
    "way. Made with breathable cotton and glass beads that stay in place. Try it for thirty nights and feel "
    "the difference.",
    "Moving house? We pack, carry and unpack for you, with insured movers and a fixed price agreed up front. "
    "Tell us your new address and the date, and we will do the rest. Get your free quote in under three minutes.",
    "The perfect gift for coffee lovers. A handmade ceramic mug set with two cups, two saucers and a bag of our "
    "signature blend. Wrapped and ready to give. Order by Thursday for delivery before the weekend.",
    "Turn your garden into a vegetable patch. Our seed kits come with everything you need to grow tomatoes, "
    "herbs and salad leaves, even on a balcony. Step by step guides make it easy for beginners. Start growing "
    "this spring.",
    "Book your car service in seconds. Pick a time that suits you, and our mechanics will collect your car, fix "
    "it and bring it back the same day. Every repair is guaranteed for twelve months. Book online and save ten "
    "percent.",
]

# language: (espeak-ng voice, texts)
FOREIGN: dict[str, tuple[str, list[str]]] = {
    "de": (
        "de",
        [
            "Schluss mit langweiligem Abendessen! Unsere Kochboxen liefern frische Zutaten und einfache Rezepte "
            "direkt zu dir nach Hause. Jede Woche warten dreißig neue Gerichte auf dich. Bestell jetzt und spar bei "
            "deiner ersten Box fünfzig Prozent.",
            "Endlich wieder durchschlafen. Unsere Matratze passt sich deinem Körper an, hält dich nachts angenehm "
            "kühl und wird bequem im Karton geliefert. Teste sie hundert Nächte lang, ganz ohne Risiko. Jetzt im "
            "Onlineshop bestellen.",
            "Dein Konto, ganz ohne Gebühren. Eröffne es in fünf Minuten per App, zahle weltweit kostenlos mit "
            "deiner Karte und behalte jede Buchung sofort im Blick. Über zwei Millionen Kunden vertrauen uns "
            "schon. Lade die App noch heute herunter.",
            "Der Sommer kann kommen! Nur an diesem Wochenende gibt es Badeanzüge, Sandalen und Sonnenbrillen bis "
            "zu fünfzig Prozent günstiger. Versand und Rücksendung sind kostenlos. Schnell sein lohnt sich, "
            "solange der Vorrat reicht.",
        ],
    ),
    "fr": (
        "fr-fr",
        [
            "Envie d'un bon café sans quitter la maison ? Nos torréfacteurs sélectionnent les meilleurs grains "
            "auprès de petits producteurs et vous les envoient dès le lendemain. Choisissez votre mouture, votre "
            "rythme de livraison, et résiliez quand vous voulez.",
            "Apprenez l'anglais pendant votre pause déjeuner. Des leçons courtes, de vraies conversations et un "
            "professeur à votre écoute. En un mois, vous commandez au restaurant sans hésiter. Inscrivez-vous "
            "aujourd'hui, le premier cours est offert.",
            "Votre peau mérite ce qu'il y a de meilleur. Notre sérum aux huiles végétales hydrate, lisse et "
            "illumine votre teint en quatre semaines seulement. Des milliers de clientes l'ont déjà adopté. "
            "Commandez maintenant, la livraison est gratuite.",
            "Partez ce week-end sans vous ruiner. Hôtels, chalets et maisons au bord de la mer, avec annulation "
            "gratuite et réservation en une minute. Les membres profitent de dix pour cent de réduction "
            "supplémentaire. Votre évasion commence ici.",
        ],
    ),
    "es": (
        "es",
        [
            "¿Cansado de entrenamientos que nunca terminas? Nuestra aplicación crea un plan a tu medida, según tu "
            "horario y tus objetivos. Con diez minutos al día ya notarás la diferencia. Descárgala ahora y "
            "pruébala gratis durante dos semanas.",
            "Tu perro merece comida de verdad. Cocinamos menús frescos con carne y verduras, los preparamos en "
            "raciones justas y te los llevamos a casa cada quince días. Hasta los más exigentes dejan el plato "
            "limpio. Pide tu caja de prueba hoy.",
            "¿Buscas tu primera casa? Nuestros asesores comparan más de noventa bancos para conseguirte la "
            "hipoteca más barata, y el estudio es totalmente gratuito. Pide cita hoy mismo y recibe una respuesta "
            "en menos de veinticuatro horas.",
            "Llegó la hora de renovar tu salón. Sofás modulares que se montan en minutos, sin herramientas, y que "
            "caben por cualquier puerta. Elige el color que más te guste y disfruta de cien noches de prueba. "
            "Envío gratis a toda España.",
        ],
    ),
    "it": (
        "it",
        [
            "La pizza come a Napoli, direttamente a casa tua. Impasto lievitato quarantotto ore, mozzarella di "
            "bufala e forno a legna. Ordina dall'app entro le venti e la ricevi calda in mezz'ora. Il primo "
            "ordine ha la consegna gratuita.",
            "Occhiali che avrai voglia di indossare. Prova cinque montature a casa senza pagare nulla, tieni "
            "quelle che ami e rimanda indietro le altre. Ogni paio include lenti antiriflesso e un anno di "
            "garanzia. Scopri la nuova collezione online.",
            "Risparmia senza pensarci. La nostra app arrotonda ogni acquisto e investe il resto in un fondo "
            "diversificato. Puoi iniziare con soli cinque euro al mese. Scaricala oggi e inizia a costruire il "
            "tuo futuro, un caffè alla volta.",
            "Fiori freschi ogni venerdì. I nostri fioristi creano un bouquet diverso ogni settimana con fiori di "
            "stagione coltivati in Italia. Puoi sospendere o annullare quando vuoi. Usa il codice PRIMAVERA e la "
            "prima consegna è gratis.",
        ],
    ),
    "nl": (
        "nl",
        [
            "Nooit meer zelf stofzuigen. Deze robotstofzuiger brengt je hele huis in kaart, ontwijkt kabels en "
            "sokken en leegt zichzelf tot zestig dagen lang. Bedien hem gewoon met je telefoon. Bestel vandaag en "
            "krijg er een extra borstelset gratis bij.",
            "Verhuizen zonder stress? Wij pakken in, dragen en pakken weer uit, met verzekerde verhuizers en een "
            "vaste prijs vooraf. Geef je nieuwe adres en de datum door en wij regelen de rest. Vraag binnen drie "
            "minuten een gratis offerte aan.",
            "Elke week verse bloemen op je tafel. Onze bloemisten maken wekelijks een nieuw boeket met "
            "seizoensbloemen van Nederlandse kwekers. Pauzeren of opzeggen kan altijd. Gebruik de code LENTE en "
            "je eerste levering is gratis.",
            "Zin in een nieuwe baan dit jaar? In onze online cursus leer je precies wat werkgevers zoeken, met "
            "echte projecten en een persoonlijke mentor. De meeste cursisten vinden binnen zes maanden werk. "
            "Schrijf je voor vrijdag in.",
        ],
    ),
    "pl": (
        "pl",
        [
            "Zdrowy obiad w piętnaście minut? Nasze zestawy zawierają świeże składniki i łatwe "
            "przepisy, dostarczane prosto pod Twoje drzwi. Co tydzień trzydzieści nowych dań do wyboru. Zamów "
            "teraz, a pierwszy zestaw dostaniesz o połowę taniej.",
            "Słuchaj muzyki, a nie hałasu. Nasze bezprzewodowe słuchawki wyciszają pociągi, samoloty i gwar w "
            "biurze, a bateria wystarcza na czterdzieści godzin. Teraz dwadzieścia procent taniej, tylko do końca "
            "tygodnia. Sprawdź w naszym sklepie.",
            "Konto bez żadnych opłat. Otwórz je w pięć minut przez aplikację, płać kartą za granicą bez prowizji "
            "i sprawdzaj każdą płatność od razu. Zaufały nam już dwa miliony klientów. Pobierz aplikację jeszcze "
            "dziś.",
            "Naucz się grać na gitarze we własnym tempie. Lekcje wideo słuchają, jak grasz, i podpowiadają, co "
            "poprawić. Początkujący grają pierwszą piosenkę już po tygodniu. Wypróbuj za darmo przez siedem dni.",
        ],
    ),
    "pt": (
        "pt-br",
        [
            "Seu cachorro merece comida de verdade. Preparamos refeições frescas com carne e legumes, na porção "
            "certa para o seu pet, e entregamos na sua casa a cada duas semanas. Até os mais exigentes limpam o "
            "prato. Peça a sua caixa de teste hoje.",
            "Cansado de pagar tarifas no banco? Abra sua conta digital em cinco minutos, use o cartão no mundo "
            "inteiro sem taxas e acompanhe cada compra em tempo real. Mais de dois milhões de clientes já "
            "mudaram. Baixe o aplicativo agora mesmo.",
            "O verão chegou e a nossa maior promoção também. Biquínis, sandálias e óculos de sol com até "
            "cinquenta por cento de desconto, só neste fim de semana. A troca é grátis em todos os pedidos. Corra "
            "para garantir o seu tamanho.",
            "Aprenda a fotografar com o celular que você já tem. Em dez aulas simples, você descobre como usar a "
            "luz, enquadrar e editar as suas fotos. Mais de cinquenta mil alunos já participaram. Inscreva-se "
            "esta semana e ganhe filtros exclusivos.",
        ],
    ),
    "sv": (
        "sv",
        [
            "Trött på träningspass du aldrig hinner med? Vår app gör ett schema som passar just ditt liv och dina "
            "mål. Tio minuter om dagen räcker för att komma igång. Ladda ner appen idag och prova alla program "
            "gratis i två veckor.",
            "Sov gott i natt. Vårt tyngdtäcke lugnar kroppen och hjälper dig att somna snabbare, helt naturligt. "
            "Det är tillverkat av luftig bomull och glaspärlor som stannar på plats. Prova det i trettio nätter "
            "och känn skillnaden själv.",
            "Nu blir det enkelt att köra elbil. Nya Volta laddar till åttio procent på en halvtimme och går "
            "femhundra kilometer på en laddning. Boka en provkörning i helgen och upplev varför allt fler byter "
            "till el.",
            "Färskt kaffe direkt hem till dörren. Våra rostare väljer bönor från små gårdar, rostar dem varje "
            "måndag och skickar dem samma dag. Välj malning och hur ofta du vill ha leverans. Första påsen bjuder "
            "vi på.",
        ],
    ),
    "da": (
        "da",
        [
            "Slut med kedelige aftensmåltider. Vores måltidskasser leverer friske råvarer og nemme opskrifter lige "
            "til døren. Hver uge kan du vælge mellem tredive nye retter. Bestil i dag og få halv pris på din "
            "første kasse.",
            "Briller, du faktisk har lyst til at gå med. Prøv fem stel derhjemme helt gratis, behold dem, du "
            "elsker, og send resten retur. Alle briller leveres med antirefleks og et års garanti. Se den nye "
            "kollektion på nettet.",
            "Drømmer du om din første bolig? Vores rådgivere sammenligner over halvfems banker og finder det "
            "billigste lån til dig, helt uden beregning. Book et møde i dag, og få svar inden for et døgn.",
            "Gør din have til en køkkenhave. Vores frøsæt indeholder alt, hvad du skal bruge for at dyrke "
            "tomater, krydderurter og salat, selv på en altan. Trin for trin vejledninger gør det nemt for "
            "begyndere. Kom i gang allerede i foråret.",
        ],
    ),
    "ro": (
        "ro",
        [
            "Cafeaua ta preferată, livrată acasă. Prăjim boabe proaspete în fiecare luni și le trimitem chiar în "
            "aceeași zi. Alegi cât de des vrei livrarea și renunți oricând, fără obligații. Comandă acum și prima "
            "pungă este gratuită.",
            "Vrei să înveți engleza în pauza de prânz? Lecții scurte, conversații reale și un profesor care te "
            "ascultă cu răbdare. După o lună, comanzi la restaurant fără emoții. Înscrie-te astăzi și prima "
            "lecție este din partea noastră.",
            "Vara aceasta, reduceri de până la cincizeci la sută la costume de baie, sandale și ochelari de soare. "
            "Oferta este valabilă doar în acest weekend. Transportul și returul sunt gratuite. Grăbește-te, "
            "stocurile sunt limitate.",
            "Asigurarea locuinței, simplu și rapid. Primești o ofertă în două minute, declari dauna direct din "
            "aplicație și vorbești cu un om adevărat ori de câte ori ai nevoie. Treci la noi azi și economisești "
            "până la douăzeci la sută.",
        ],
    ),
    "tr": (
        "tr",
        [
            "Akşam yemeği için artık kafa yormana gerek yok. Taze malzemeler ve kolay tarifler her hafta kapına "
            "geliyor. Otuz farklı yemek arasından dilediğini seç. Hemen sipariş ver, ilk kutun yarı fiyatına "
            "gelsin.",
            "Kablosuz kulaklığımızla sadece müziği duy. Tren, uçak ve ofis gürültüsünü engeller, pili tam kırk "
            "saat dayanır. Bu hafta sonuna kadar yüzde yirmi indirimli. Stoklar tükenmeden hemen sipariş ver.",
            "Evini taşımak hiç bu kadar kolay olmamıştı. Eşyalarını biz paketliyor, taşıyor ve yeni evine "
            "yerleştiriyoruz. Fiyat baştan belli, sürpriz yok. Yeni adresini ve tarihi yaz, üç dakikada ücretsiz "
            "teklifini al.",
            "Köpeğin gerçek yemeği hak ediyor. Et ve sebzelerle taze mamalar hazırlıyor, porsiyonlayıp iki "
            "haftada bir kapına getiriyoruz. En seçici dostlar bile tabağını bitiriyor. Deneme paketini bugün "
            "sipariş et.",
        ],
    ),
    "fi": (
        "fi",
        [
            "Kyllästyttääkö treenata yksin? Sovelluksemme tekee sinulle oman ohjelman aikataulusi ja tavoitteidesi "
            "mukaan. Kymmenen minuuttia päivässä riittää alkuun. Lataa sovellus nyt ja kokeile kaikkia ohjelmia "
            "ilmaiseksi kaksi viikkoa.",
            "Nuku paremmin jo tänä yönä. Painopeittomme rauhoittaa kehoa ja auttaa nukahtamaan nopeammin. Se on "
            "valmistettu hengittävästä puuvillasta. Kokeile sitä kolmekymmentä yötä ja huomaa ero itse.",
            "Tilaa tuoreet kukat kotiin joka perjantai. Floristimme kokoavat joka viikko uuden kimpun "
            "kotimaisista kausikukista. Voit keskeyttää tilauksen milloin tahansa. Ensimmäinen toimitus on "
            "ilmainen koodilla KEVÄT.",
            "Sähköauto on nyt helpompi kuin koskaan. Uusi Volta latautuu kahdeksaankymmeneen prosenttiin puolessa "
            "tunnissa ja kulkee viisisataa kilometriä yhdellä latauksella. Varaa koeajo tälle viikonlopulle.",
        ],
    ),
}

# Bilingual ads: (first language, first part, second language, second part); "en" is the English part.
MIXED: list[tuple[str, str, str, str]] = [
    ("en", "Introducing the new Volta hatchback, built for the city and ready for the open road.",
     "de", "Jetzt auch in Deutschland: Lade in nur dreißig Minuten auf achtzig Prozent und fahre bis zu "
     "fünfhundert Kilometer weit. Vereinbare noch heute deine Probefahrt beim Händler in deiner Nähe."),
    ("en", "Fresh coffee, roasted every Monday and shipped the very same day.",
     "de", "Für unsere Kunden in Österreich und der Schweiz gilt: Die Lieferung ist kostenlos, und du kannst "
     "dein Abo jederzeit pausieren oder kündigen."),
    ("en", "Our summer sale starts today, with up to half off swimwear and sandals.",
     "fr", "Pour nos clients en France et en Belgique, la livraison est offerte et les retours sont gratuits "
     "pendant trente jours."),
    ("en", "Meet the running shoe that thousands of marathon runners already love.",
     "es", "Ahora disponible en todas nuestras tiendas de España y México, con envío gratuito y devoluciones "
     "sin coste durante un mes."),
    ("en", "Learn to cook like a chef with short videos you can follow at home.",
     "it", "Per i nostri amici italiani, il corso è disponibile anche con sottotitoli e ricette della "
     "tradizione, dalla carbonara al tiramisù."),
    ("en", "Banking without fees, built for people who travel and work abroad.",
     "nl", "Nu ook in Nederland en België: open je rekening in vijf minuten en betaal overal ter wereld zonder "
     "extra kosten."),
    ("en", "The headphones that block out the world, now with forty hours of battery.",
     "pl", "Teraz dostępne także w Polsce, z darmową dostawą i dwuletnią gwarancją. Zamów dziś, a paczka "
     "dotrze jutro."),
    ("en", "Fresh flowers delivered every Friday, designed by our own florists.",
     "pt", "Agora também no Brasil: escolha o seu buquê, receba em casa toda semana e cancele quando quiser, "
     "sem multa."),
    ("en", "Your new favourite blanket is here, and it helps you sleep.",
     "sv", "Nu finns den även i Sverige, med fri frakt och trettio dagars öppet köp. Beställ idag så är den "
     "hemma hos dig på fredag."),
    ("en", "Meet our new smart doorbell, with a camera that sees in the dark.",
     "de", "Ab sofort auch bei uns im Shop erhältlich. Die Installation dauert nur zehn Minuten, und ein Jahr "
     "Cloudspeicher ist bereits inklusive."),
    ("de", "Die besten Laufschuhe des Jahres sind endlich da, leicht, bequem und perfekt für lange Strecken.",
     "en", "Order today, and get free delivery and free returns for thirty days on every pair."),
    ("fr", "Le meilleur café de votre vie, torréfié chaque lundi par nos artisans.",
     "en", "Subscribe today and your first bag of coffee is completely free, with delivery included."),
    ("es", "Este verano, viaja más y paga menos con nuestras ofertas exclusivas para miembros.",
     "en", "Book your next trip in under a minute, with free cancellation on almost every hotel."),
    ("da", "Friske måltidskasser med nemme opskrifter og gode råvarer, leveret lige til din dør hver uge.",
     "en", "Order your first box today and get it at half price, with free delivery to your door."),
]  # fmt: skip

ENGLISH_VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc", "en-gb-x-gbclan"]
VARIANTS = ["", "+f2", "+m3", "+klatt2", "+f4", "+m7", "+f5"]
SPEEDS = [150, 175, 140, 165, 185, 160]
TAKES = 3  # voices/speeds per text of the English and foreign sets


@dataclass(frozen=True)
class Piece:
    language: str
    voice: str
    speed: int
    text: str


@dataclass(frozen=True)
class Clip:
    name: str
    kind: str  # "english", "foreign" or "mixed"
    part: str  # "dev" or "held_out"
    pieces: tuple[Piece, ...]
    music: bool

    @property
    def language(self) -> str:
        return "+".join(p.language for p in self.pieces)


@dataclass(frozen=True)
class Built:
    clip: Clip
    path: Path
    duration: float
    foreign: tuple[tuple[float, float], ...]  # where the non-English speech is, in seconds


def _part(index: int) -> str:
    return "dev" if index % 2 == 0 else "held_out"


def _english_clips() -> list[Clip]:
    clips = []
    for i, text in enumerate(ENGLISH):
        for k in range(TAKES):
            voice = ENGLISH_VOICES[(i + 3 * k) % len(ENGLISH_VOICES)] + VARIANTS[(2 * i + k) % len(VARIANTS)]
            piece = Piece("en", voice, SPEEDS[(i + 2 * k) % len(SPEEDS)], text)
            clips.append(Clip(f"en-{i:02d}-{k}", "english", _part(i), (piece,), (i + k) % 3 == 2))
    return clips


def _foreign_clips() -> list[Clip]:
    clips = []
    for language, (voice, texts) in FOREIGN.items():
        for i, text in enumerate(texts):
            for k in range(TAKES):
                variant = VARIANTS[(i + 2 * k) % len(VARIANTS)]
                piece = Piece(language, voice + variant, SPEEDS[(3 * i + k) % len(SPEEDS)], text)
                clips.append(Clip(f"{language}-{i:02d}-{k}", "foreign", _part(i), (piece,), (i + k) % 3 == 1))
    return clips


def _mixed_clips() -> list[Clip]:
    clips = []
    for i, (first, first_text, second, second_text) in enumerate(MIXED):
        variant, speed = VARIANTS[i % len(VARIANTS)], SPEEDS[i % len(SPEEDS)]
        voices = {"en": ENGLISH_VOICES[i % len(ENGLISH_VOICES)]} | {code: v for code, (v, _) in FOREIGN.items()}
        pieces = (
            Piece(first, voices[first] + variant, speed, first_text),
            Piece(second, voices[second] + variant, speed, second_text),
        )
        clips.append(Clip(f"mix-{i:02d}-{first}-{second}", "mixed", _part(i), pieces, i % 3 == 2))
    return clips


def all_clips() -> list[Clip]:
    """The whole set: English controls, single-language foreign ads and bilingual ads."""
    return _english_clips() + _foreign_clips() + _mixed_clips()


def _speak(piece: Piece) -> np.ndarray:
    done = subprocess.run(
        ["espeak-ng", "-v", piece.voice, "-s", str(piece.speed), "--stdout", piece.text],
        check=True,
        capture_output=True,
    )
    with wave.open(io.BytesIO(done.stdout), "rb") as wav:
        assert wav.getframerate() == RATE and wav.getsampwidth() == 2
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16).astype(np.float32) / 32768


def _music_bed(samples: int, speech_rms: float) -> np.ndarray:
    """Soft chords (A minor, F, C, G, two seconds each) about 20 dB under the speech."""
    t = np.arange(samples) / RATE
    chords = [(220.0, 261.6, 329.6), (174.6, 220.0, 261.6), (261.6, 329.6, 392.0), (196.0, 246.9, 293.7)]
    which = (t // 2.0).astype(int) % len(chords)
    bed = np.zeros(samples, dtype=np.float32)
    for note in range(3):
        freqs = np.array([c[note] for c in chords])[which]
        bed += np.sin(2 * np.pi * freqs * t).astype(np.float32)
    bed *= (0.6 + 0.4 * np.cos(2 * np.pi * t / 2.0)).astype(np.float32)  # each chord swells and fades
    return bed * (0.1 * speech_rms / max(float(np.sqrt(np.mean(bed**2))), 1e-9))


def build(clip: Clip, folder: Path) -> Built:
    """Speak the clip into folder/<name>.wav (16-bit mono WAV, as espeak-ng writes it)."""
    audio, foreign, at = [], [], 0.0
    for n, piece in enumerate(clip.pieces):
        if n:
            audio.append(np.zeros(int(PAUSE_S * RATE), dtype=np.float32))
            at += PAUSE_S
        speech = _speak(piece)
        if piece.language != "en":
            foreign.append((round(at, 2), round(at + len(speech) / RATE, 2)))
        audio.append(speech)
        at += len(speech) / RATE
    signal = np.concatenate(audio)
    if clip.music:
        voiced = signal[np.abs(signal) > 0.01]
        signal = signal + _music_bed(len(signal), float(np.sqrt(np.mean(voiced**2))) if len(voiced) else 0.1)
    path = folder / f"{clip.name}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(signal, -1, 1) * 32767).astype(np.int16).tobytes())
    return Built(clip, path, round(len(signal) / RATE, 2), tuple(foreign))


def as_video(wav: Path, target: Path) -> Path:
    """The clip as an audio-only MP4 (AAC), the kind of file the folder source picks up."""
    import av

    with av.open(str(wav)) as src, av.open(str(target), "w") as out:
        stream = out.add_stream("aac", rate=RATE)
        for frame in src.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target
