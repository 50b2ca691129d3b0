#!/usr/bin/env python3
"""Builds prompts/train.jsonl for the EAGLE-3 self-distillation run, offline.

Sources (no internet datasets):
  * hand-written templates x hand-written topic / entity / task lists (this file);
  * math word problems generated from templates with seeded random numbers;
  * Python stdlib docstrings turned into natural-language "write a function" tasks;
  * stdlib module sources (file beginnings, cut before a top-level def/class) and
    prose paragraphs from stdlib module docs and installed packages' METADATA, for
    summaries, rewriting and raw (chat=false) completion prompts.

HumanEval is a held-out evaluation set: nothing here reads it, code prompts are
natural-language instructions (never "def f(...): docstring" completions), and a
keyword blocklist drops classic HumanEval-style tasks (primes, palindromes, ...).
Prompts that share topics with prompts/heldout_chat.jsonl are dropped too.

Deterministic: same Python + same installed packages -> same file.
Usage: python make_prompts.py [--out prompts/train.jsonl] [--seed 1234] [--stats]
"""

import argparse
import collections
import importlib
import inspect
import json
import pathlib
import random
import re
import sys
import sysconfig

HERE = pathlib.Path(__file__).resolve().parent

# --------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------

# Classic HumanEval-style tasks (kept out of the training set entirely).
HUMANEVAL_LIKE = [
    "prime", "palindrom", "fibonacci", "fib(", "vowel", "median", "gcd", "greatest common",
    "bracket", "parenthes", "factoriz", "factorial", "digit sum", "sum of digits", "fizz",
    "roman numeral", "anagram", "collatz", "triangle area", "closest elements", "below zero",
    "rolling max", "xor of", "perfect square", "leap year", "derivative of a polynomial",
]

# Topics of prompts/heldout_chat.jsonl: training prompts mentioning them are dropped.
HELDOUT_TOPICS = [
    "lighthouse", "volcan", "honeybee", " bees", "chess", "sourdough", "tide", "thunderstorm",
    "landlord", "faucet", "weekday", "largest files", "earn more than their manager",
    "playing card", "train leaves", "cookies", "romeo", "juliet", "weather and climate",
    "bakery", "cupcake", "hash table", "stretching", "sunrise", "limerick", "jazz", "bicycle",
    "school uniform", "opportunity cost", "debounce", "northern lights", "aurora", "kyoto",
    "lru", "tic-tac-toe", "camping", "notebook", "marathon", "vaccin", "ipv4",
    "list and a tuple", "barista", "compound interest", "butterfl", "dockerfile", "flask",
]


def blocked(text):
    low = text.lower()
    return any(k in low for k in HUMANEVAL_LIKE) or any(k in low for k in HELDOUT_TOPICS)


# --------------------------------------------------------------------------------------
# Hand-written lists
# --------------------------------------------------------------------------------------

TOPICS = [
    "photosynthesis", "black holes", "the stock market", "inflation", "the immune system",
    "rainbows", "earthquakes", "glaciers", "the internet", "GPS satellites", "solar panels",
    "electric cars", "recycling", "the water cycle", "plate tectonics", "DNA",
    "the French Revolution", "the Roman Empire", "the printing press", "democracy",
    "supply and demand", "machine learning", "neural networks", "public-key encryption",
    "blockchains", "cloud computing", "caffeine", "sleep", "human memory", "the phases of the moon",
    "the four seasons", "gravity", "magnets", "electricity", "lithium-ion batteries",
    "wind turbines", "coral reefs", "rainforests", "bird migration", "the Great Wall of China",
    "the Industrial Revolution", "antibiotics", "the heart", "the digestive system",
    "nuclear fission", "the speed of light", "sound waves", "rain formation", "hurricanes",
    "tornadoes", "the greenhouse effect", "carbon footprints", "composting", "interest rates",
    "credit scores", "budgeting", "taxes", "the Renaissance", "ancient Egypt", "the pyramids",
    "the Silk Road", "the Olympic Games", "the human brain", "dreams", "meditation",
    "habits", "procrastination", "time zones", "leap seconds", "calendars", "maps and projections",
    "the metric system", "photography", "3D printing", "robots", "self-driving cars",
    "quantum computers", "compilers", "operating systems", "databases", "version control",
    "open-source software", "spreadsheets", "email", "Wi-Fi", "Bluetooth", "barcodes",
    "QR codes", "microwave ovens", "refrigerators", "airplanes", "helicopters", "rockets",
    "the International Space Station", "Mars", "Jupiter", "comets", "the Milky Way",
    "telescopes", "microscopes", "cells", "bacteria", "viruses", "fungi", "evolution",
    "dinosaurs", "fossils", "whales", "octopuses", "penguins", "elephants", "ants",
    "spiders", "owls", "wolves", "dolphins", "trees", "seeds", "soil", "deserts",
    "rivers", "lakes", "mountains", "caves", "islands", "the Amazon River", "the Sahara",
    "Antarctica", "the Arctic", "renewable energy", "nuclear power", "hydroelectric dams",
    "the printing of money", "banks", "insurance", "the postal system", "libraries",
    "museums", "theater", "opera", "film editing", "animation", "video games",
    "board games", "origami", "knitting", "pottery", "woodworking", "gardening",
    "beekeeping-free pollination", "tea ceremonies", "coffee roasting", "bread baking",
    "fermentation", "cheese making", "spices", "chocolate", "vitamins", "hydration",
    "posture", "running shoes", "yoga", "swimming", "the offside rule in soccer",
    "basketball", "tennis scoring", "cricket", "sailing", "mountaineering",
]
TOPICS = [t for t in TOPICS if "beekeeping" not in t]

COMPARE_PAIRS = [
    ("a virus", "a bacterium"), ("RAM", "storage"), ("a comet", "an asteroid"),
    ("a democracy", "a republic"), ("stocks", "bonds"), ("HTTP", "HTTPS"),
    ("TCP", "UDP"), ("a compiler", "an interpreter"), ("AC", "DC current"),
    ("a crocodile", "an alligator"), ("a frog", "a toad"), ("a simile", "a metaphor"),
    ("baking soda", "baking powder"), ("a latte", "a cappuccino"), ("speed", "velocity"),
    ("mass", "weight"), ("a lake", "a pond"), ("a hill", "a mountain"),
    ("an ocean", "a sea"), ("a debit card", "a credit card"), ("saving", "investing"),
    ("a process", "a thread"), ("SQL", "NoSQL databases"), ("Git", "GitHub"),
    ("Python", "JavaScript"), ("a class", "a struct in Swift"), ("let", "var in Swift"),
    ("a stack", "a queue"), ("an array", "a linked list"), ("recursion", "iteration"),
    ("machine learning", "traditional programming"), ("a planet", "a star"),
    ("a moon", "a planet"), ("empathy", "sympathy"), ("a recession", "a depression"),
    ("an email", "a letter"), ("a novel", "a short story"), ("a poem", "a song"),
    ("a hurricane", "a typhoon"), ("fog", "mist"), ("a rabbit", "a hare"),
    ("a violin", "a viola"), ("a sprint", "a jog"), ("aerobic", "anaerobic exercise"),
    ("an LED", "an incandescent bulb"), ("a laptop", "a tablet"), ("Linux", "Windows"),
    ("a library", "a framework"), ("unit tests", "integration tests"), ("latency", "bandwidth"),
]

HOWTO_TASKS = [
    "learn a new language", "start running regularly", "write a good resume",
    "organize a small closet", "grow tomatoes on a balcony", "change a flat tire",
    "save money on groceries", "prepare for a job interview", "make a simple budget",
    "improve my handwriting", "take better photos with my phone", "fall asleep faster",
    "learn to touch type", "clean a cast iron pan", "make cold brew coffee",
    "brew a good cup of green tea", "care for a houseplant", "train a puppy to sit",
    "introduce a new cat to my home", "speak confidently in meetings", "memorize a speech",
    "study for a math exam", "read more books", "reduce screen time", "start journaling",
    "plan a birthday party", "pack a suitcase efficiently", "negotiate a salary",
    "write a thank-you note", "set up a home office", "keep my kitchen tidy",
    "make a vegetable stir-fry", "cook rice on the stove", "make pancakes from scratch",
    "boil an egg perfectly", "sharpen a kitchen knife", "repot a plant",
    "start a vegetable garden", "compost kitchen scraps", "back up my computer",
    "choose a strong password", "set up two-factor authentication", "learn to code",
    "get started with Git", "write clean code", "debug a program", "learn SQL",
    "learn Swift", "write a cover letter", "give constructive feedback",
    "handle a difficult conversation", "make friends in a new city", "volunteer locally",
    "stay focused while working from home", "build a morning routine", "drink more water",
    "start meditating", "improve my posture", "learn to juggle", "draw a portrait",
    "paint with watercolors", "learn guitar chords", "sing in tune", "write a short story",
    "write a poem", "edit my own writing", "take notes in lectures", "prepare a presentation",
    "run an effective meeting", "manage my time", "set realistic goals", "stop procrastinating",
    "deal with stress before an exam", "apologize sincerely", "plan a road trip",
    "read a nutrition label", "fix a squeaky door", "paint a room", "hang a picture frame",
    "unclog a sink drain", "iron a shirt", "sew on a button", "remove a coffee stain",
]

CHARACTERS = [
    "a young wizard", "a retired astronaut", "a curious fox", "a shy robot", "an old fisherman",
    "a brave little mouse", "a time-traveling librarian", "a street musician", "a baker's apprentice",
    "a lonely dragon", "a detective dog", "a girl who can talk to trees", "a forgetful inventor",
    "a pirate captain", "a knight afraid of the dark", "a school janitor", "a clockmaker",
    "a kite that wanted to fly higher", "a grumpy cloud", "a family of otters",
    "a ghost who loves gardening", "an AI assistant", "twin sisters", "a mail carrier",
    "a lost penguin", "a painter who lost her colors", "a village blacksmith", "a tiny snail",
    "a space explorer", "a mountain goat", "a talking teapot", "a young chef",
]
EVENTS = [
    "discovers a hidden door", "has to save the town festival", "makes an unexpected friend",
    "loses something important", "gets lost in a big city", "finds a map to a secret place",
    "learns a lesson about patience", "must keep a promise", "wins a contest by accident",
    "travels to the moon", "wakes up with a strange power", "solves a mystery",
    "builds something amazing", "faces their biggest fear", "helps a stranger in trouble",
    "goes on a journey across the sea", "has one day to finish a task",
]
POEM_SUBJECTS = [
    "autumn leaves", "the city at night", "a quiet library", "an old friendship", "the first snow",
    "a cup of coffee", "the ocean waves", "a long train ride", "the moon", "a summer garden",
    "homesickness", "a rainy Monday", "a cat asleep in the sun", "the stars", "a forest path",
    "growing older", "a kitchen in the morning", "the wind", "a city park", "a lost key",
    "a river", "spring rain", "a mountain lake", "a candle", "silence", "hope", "courage",
    "a grandmother's hands", "the last day of school", "a paper boat",
]
PLACES = [
    "a busy market", "an abandoned train station", "a snowy village", "a tropical beach",
    "a quiet forest", "a space station", "a medieval castle", "a small bookshop",
    "a night market in the rain", "an underwater city", "a farm at harvest time",
    "a crowded subway car", "a desert oasis at noon", "a mountain cabin in winter",
]
TIMES = ["dawn", "midnight", "the end of a long day", "a festival", "a power outage", "the first day of spring"]

EMAIL_OCCASIONS = [
    "ask my manager for a day off next Friday", "thank a colleague for help on a project",
    "invite my neighbors to a small garden party", "follow up after a job interview",
    "decline a meeting invitation politely", "apologize for missing a deadline",
    "ask a professor for a letter of recommendation", "request a refund for a broken kettle",
    "welcome a new team member", "remind a client about an unpaid invoice",
    "congratulate a friend on a new job", "announce a change to the office schedule",
    "ask a shop whether an item is back in stock", "introduce two colleagues to each other",
    "cancel a gym membership", "ask my team for feedback on a draft",
]

LIST_REQUESTS = [
    "ten healthy snacks for work", "five fun weekend activities for families",
    "eight ideas for a science fair project", "five ways to reduce food waste",
    "seven easy dinner recipes", "ten questions to ask in a job interview",
    "six hobbies that cost little money", "five ways to make a small room look bigger",
    "ten names for a pet hamster", "five tips for a long flight", "eight board game night snacks",
    "five indoor exercises without equipment", "ten conversation starters at a party",
    "five things to do on a rainy afternoon", "seven habits of productive people",
    "five ways to be more environmentally friendly", "ten classic novels worth reading",
    "six ideas for a team-building activity", "five podcast topic ideas",
    "eight gift ideas for someone who loves cooking", "five ways to learn vocabulary faster",
    "ten interesting facts about space", "five slogans for a recycling campaign",
    "six features of a good website", "five mistakes new programmers make",
]

REVIEWS = [
    "The food arrived cold and the waiter ignored us for twenty minutes.",
    "Absolutely loved this book, I could not put it down!",
    "The hotel room was clean but the walls were very thin.",
    "Battery life is amazing, easily two days of heavy use.",
    "The movie started strong but the ending made no sense.",
    "Customer support solved my problem in five minutes. Great service.",
    "The shoes looked nice but fell apart after a month.",
    "It's okay. Nothing special, nothing terrible.",
    "Best pizza in town, the crust is perfect.",
    "The app crashes every time I try to upload a photo.",
    "Delivery was fast and the packaging was eco-friendly.",
    "Too expensive for what you get.",
]

SENTENCES = [
    "me and him was going to the store but it were closed",
    "The meeting has been moved to Thursday because several people are travelling.",
    "i think we should maybe consider possibly changing the plan a little bit",
    "Our company is committed to providing the best possible service to all customers.",
    "The results of the experiment were not what the researchers expected.",
    "Please make sure that all the doors are locked before you leave the building tonight.",
    "the weather is nice today so lets go to the park and have a picnic",
    "Due to unforeseen circumstances, the concert has been postponed until further notice.",
    "He said that he would call me back, but he never did.",
    "We need more people to help with the cleanup on Saturday morning.",
    "The software update fixes several bugs and improves battery performance.",
    "Its important to drink alot of water when your exercising outside.",
    "The new library opens next month and will have a large children's section.",
    "Students must submit their assignments before midnight on Friday.",
    "Our team worked really really hard and we finished the project early.",
    "The city council voted to add more bike lanes downtown.",
    "I am writing to inform you that your order has been shipped.",
    "Their going to announce the winners tomorrow at noon.",
    "The painting was sold at auction for more than twice its estimated price.",
    "Can you tell me where the nearest train station is?",
    "We regret to inform you that the position has been filled.",
    "The recipe calls for two cups of flour, one egg, and a pinch of salt.",
    "Honestly the presentation was kind of boring and way too long.",
    "The river flooded after three days of heavy rain.",
    "Remember to water the plants while I am away on holiday.",
    "This product is not suitable for children under three years old.",
    "Everyone in the office was surprised by the sudden announcement.",
    "the dog chased the ball across the yard and then it fell asleep under the tree",
    "Scientists have discovered a new species of frog in the rainforest.",
    "You should of told me you were coming, I would of cooked dinner.",
]
REWRITE_STYLES = [
    "Rewrite the following sentence in a formal tone:",
    "Fix the grammar and spelling in this sentence:",
    "Make this sentence shorter and clearer:",
    "Rewrite this sentence so a young child could understand it:",
    "Rewrite this sentence in the passive voice:",
    "Rewrite this sentence in a friendly, casual tone:",
    "Paraphrase the following sentence:",
    "Turn this sentence into a question:",
    "Rewrite this sentence to sound more enthusiastic:",
    "Translate this sentence into French:",
    "Translate this sentence into Spanish:",
    "Rewrite this sentence as a newspaper headline:",
]

PY_TASKS = [
    "reverses the words in a sentence", "counts how many times each word appears in a text",
    "removes duplicate items from a list while keeping the original order",
    "flattens a nested list of any depth", "merges two sorted lists into one sorted list",
    "checks whether two dictionaries have the same keys",
    "converts a temperature from Celsius to Fahrenheit",
    "returns the second largest number in a list",
    "splits a list into chunks of a given size", "transposes a matrix given as a list of lists",
    "reads a CSV file and returns the rows as dictionaries",
    "writes a list of dictionaries to a JSON file", "finds the most common element in a list",
    "computes the running total of a list of numbers", "capitalizes the first letter of every word",
    "checks whether a string is a valid email address using a regular expression",
    "returns all files with a given extension in a directory",
    "converts a number of seconds into hours, minutes and seconds",
    "computes the average word length in a sentence",
    "groups a list of words by their first letter",
    "rotates a list to the right by k positions", "returns the intersection of two lists",
    "checks whether a year and month form a valid date",
    "parses a query string like 'a=1&b=2' into a dictionary",
    "generates a random password of a given length",
    "counts the lines, words and characters of a text file",
    "returns the n largest values of a dictionary by value",
    "validates that a string contains only letters and spaces",
    "converts a snake_case identifier to camelCase",
    "converts a camelCase identifier to snake_case",
    "truncates a string to a maximum length and adds an ellipsis",
    "computes the Hamming distance between two equal-length strings",
    "computes the Levenshtein edit distance between two strings",
    "implements binary search on a sorted list",
    "implements bubble sort", "implements merge sort", "implements quicksort",
    "builds a frequency histogram of characters and prints it with stars",
    "finds all pairs of numbers in a list that add up to a target",
    "returns the longest word in a sentence",
    "checks if a list is sorted in ascending order",
    "computes the dot product of two vectors",
    "multiplies two matrices",
    "converts a list of tuples into a dictionary",
    "inverts a dictionary, mapping values back to keys",
    "deep-merges two nested dictionaries",
    "retries a function call up to three times when it raises an exception",
    "measures how long a function takes to run, as a decorator",
    "caches the results of an expensive function, as a decorator",
    "reads a large file line by line and yields the lines that contain a keyword",
    "downloads nothing but builds a URL with query parameters from a dictionary",
    "formats a number with thousands separators",
    "calculates the number of days until the next birthday given a birth date",
    "returns the day of the week for a given date",
    "simulates rolling two dice one thousand times and counts the sums",
    "shuffles a deck represented as a list of strings",
    "implements a stack class with push, pop and peek",
    "implements a queue using two stacks",
    "implements a singly linked list with append and remove",
    "implements a binary search tree with insert and search",
    "performs a breadth-first search on a graph given as an adjacency list",
    "performs a depth-first search on a graph given as an adjacency list",
    "finds the shortest path in an unweighted grid maze",
    "counts the islands in a grid of 0s and 1s",
    "computes the area of a polygon from its vertices",
    "converts a hex color string like '#ff8800' to an RGB tuple",
    "converts RGB values to a hex color string",
    "computes the body mass index from weight and height",
    "computes simple loan payments given principal, rate and number of months",
    "parses a log line and extracts the timestamp and log level",
    "masks all but the last four digits of a credit card number",
    "wraps text to a given line width",
    "removes punctuation from a string",
    "counts the uppercase and lowercase letters in a string",
    "returns the words that appear in both of two sentences",
    "checks whether two strings are rotations of each other",
    "compresses a string like 'aaabcc' into 'a3b1c2'",
    "decodes a string like 'a3b1c2' back to 'aaabcc'",
    "returns a list of dates between two dates",
    "sorts a list of dictionaries by a given key",
    "reads environment variables with default values",
    "creates a simple command-line argument parser with argparse",
    "pretty-prints a nested dictionary with indentation",
    "computes the moving average of a list with a window size",
    "normalizes a list of numbers so they sum to one",
    "finds the missing number in a list containing 1 to n with one missing",
    "generates Pascal's triangle up to n rows",
    "converts an integer to its binary representation without using bin()",
    "checks whether a sudoku row, column or box contains duplicates",
    "implements a simple to-do list class with add, complete and list methods",
    "counts the number of vowels-free words in a list",
]
PY_PHRASES = [
    "Write a Python function that {t}.", "Write a Python program that {t}.",
    "Show me Python code that {t}.", "How would I write a function in Python that {t}?",
    "Implement a Python function which {t}, and explain how it works.",
    "Can you write a short Python script that {t}?",
    "Give me a Python function that {t}, with a docstring and an example call.",
]

JS_TASKS = [
    "fetches JSON from a URL and logs it", "toggles a CSS class when a button is clicked",
    "validates a form field for a non-empty email", "formats a Date as YYYY-MM-DD",
    "removes duplicates from an array", "deep-clones an object", "counts words in a string",
    "groups an array of objects by a property", "throttles a function",
    "sorts an array of objects by a numeric field", "creates a countdown timer",
]
C_TASKS = [
    "reverses a string in place", "counts the lines in a text file", "swaps two integers using pointers",
    "computes the length of a string without strlen", "finds the maximum in an array",
]
RUST_TASKS = [
    "reads a line from standard input and prints it reversed", "sums a vector of integers",
    "counts word frequencies with a HashMap", "parses a string into an integer with error handling",
]

SHELL_TASKS = [
    "count the number of lines in every .txt file in a folder",
    "rename all .jpeg files in a directory to .jpg",
    "find files modified in the last 24 hours",
    "delete empty directories recursively",
    "show the disk usage of each subdirectory sorted by size",
    "print the 10 most common words in a text file",
    "replace a word in all .md files using sed",
    "compress a directory into a tar.gz archive",
    "extract a tar.gz archive into a specific folder",
    "check whether a website is reachable with curl",
    "loop over numbers 1 to 10 and print whether each is even or odd",
    "back up a folder with rsync",
    "find and kill a process by name safely",
    "show the last 50 lines of a log file and follow new lines",
    "count how many unique IP addresses appear in an access log",
    "create a directory with today's date as its name",
    "download a file only if it does not already exist",
    "print all environment variables that start with PATH",
    "check if a command is installed before running it",
    "read a file line by line in a while loop",
    "convert all file names in a folder to lowercase",
    "list the five most recently modified files",
    "monitor memory usage every five seconds",
    "search for a string recursively in all Python files",
    "split a large CSV file into files of 1000 lines each",
    "sum the numbers in the second column of a CSV file with awk",
    "schedule a script to run every night at 2am with cron",
    "write a script that exits with an error if no argument is given",
    "measure how long a command takes to run",
    "generate a random 16-character password on the command line",
    "compare two directories and show which files differ",
    "append the current date and time to a log file",
    "make a script executable and run it",
    "print the current Git branch name in a shell prompt",
    "remove all Docker containers that have exited",
]
SHELL_PHRASES = [
    "Write a bash command to {t}.", "How do I {t} in the Linux shell?",
    "Write a shell script to {t}.", "What is the command line to {t}?",
]

SQL_SCHEMAS = [
    ("customers(id, name, city)", "orders(id, customer_id, total, created_at)"),
    ("students(id, name, grade)", "enrollments(student_id, course_id, score)"),
    ("products(id, name, category, price)", "sales(id, product_id, quantity, sold_on)"),
    ("authors(id, name, country)", "books(id, author_id, title, year, pages)"),
    ("users(id, email, signup_date)", "logins(user_id, login_time, device)"),
    ("flights(id, origin, destination, departure, price)", "bookings(id, flight_id, passenger)"),
]
SQL_TASKS = [
    "count the rows in each group of the second table per item of the first table",
    "find the top 5 rows of the first table by total value in the second table",
    "list items of the first table that have no matching rows in the second table",
    "compute the average of the numeric column in the second table per month",
    "find duplicate values in the first table",
    "return the first table joined with the second, sorted by date descending",
    "calculate a running total over the second table ordered by date",
    "find items whose value is above the overall average",
    "create both tables with appropriate types and primary keys",
    "write an index that speeds up lookups on the foreign key",
    "delete rows in the second table older than one year",
    "update the first table to set a default value where a column is NULL",
]
SQL_PHRASES = [
    "Given tables {a} and {b}, write a SQL query to {t}.",
    "I have two tables, {a} and {b}. How do I {t} in SQL?",
]

SWIFT_TASKS = [
    "defines a struct for a 2D point with a method that computes the distance to another point",
    "filters an array of integers to keep only the even numbers using closures",
    "reads a text file and counts its lines",
    "defines an enum for traffic lights with a method that returns the next light",
    "implements a generic stack",
    "decodes JSON into a Codable struct",
    "uses a dictionary to count word frequencies",
    "defines a protocol Shape with an area property and two conforming types",
    "sorts an array of structs by a property",
    "uses optional binding to safely unwrap values from a dictionary",
    "defines a class with a failable initializer",
    "formats a Date as a string with DateFormatter",
    "uses async/await to load data from a URL",
    "defines an actor that protects a counter",
    "uses map, filter and reduce on an array of prices",
    "implements a simple linked list with an enum and indirect cases",
    "writes an extension on String that returns the string reversed word by word",
    "handles errors with do/catch and a custom Error enum",
    "uses a switch statement with pattern matching on tuples",
    "implements Equatable and Hashable for a custom type",
    "creates a simple SwiftUI view with a button that increments a counter",
    "computes the average of an array of Doubles safely when the array is empty",
    "defines a property wrapper that clamps a value to a range",
    "uses a Set to remove duplicates from an array",
    "parses command-line arguments with CommandLine.arguments",
]
SWIFT_PHRASES = [
    "Write Swift code that {t}.", "In Swift, show me code that {t}.",
    "How would I write Swift code that {t}?",
]

CODE_EXPLAIN = [
    "What does the Python expression [x * 2 for x in range(5) if x % 2] evaluate to, and why?",
    "Explain what a Python generator is and when to use one.",
    "Explain the difference between == and is in Python.",
    "What is a race condition? Give a short example.",
    "What does the `git rebase` command do?",
    "Explain what a REST API is.",
    "What is Big-O notation? Explain O(n) and O(log n).",
    "Explain what a closure is in JavaScript.",
    "What is the difference between a process and a thread?",
    "Explain what a SQL JOIN does, with an example.",
    "What are Swift optionals and why do they exist?",
    "Explain value types versus reference types in Swift.",
    "What is a memory leak and how can it happen in a garbage-collected language?",
    "Explain recursion using a simple example.",
    "What does `chmod 755 script.sh` do?",
    "Explain what a pipe does in the shell, for example `ls | wc -l`.",
    "What is the purpose of a virtual environment in Python?",
    "Explain what unit testing is and why it matters.",
    "What is an API key and how should it be stored?",
    "Explain what the `async` and `await` keywords do.",
    "What is a regular expression? Give three simple examples.",
    "What is the difference between a shallow copy and a deep copy?",
    "Why are floating point numbers sometimes imprecise? Explain 0.1 + 0.2.",
    "Explain how a for loop works to someone who has never programmed.",
    "What is the difference between compile time and run time errors?",
    "Explain what JSON is and show a small example.",
    "What is a Python decorator? Show a simple one.",
    "What does the `yield` keyword do in Python?",
    "Explain what Docker containers are in simple terms.",
    "What is a CPU cache and why does it make programs faster?",
]
BUGGY_SNIPPETS = [
    "def average(nums):\n    return sum(nums) / len(nums)\n\nprint(average([]))",
    "for i in range(10):\n    if i = 5:\n        print('five')",
    "items = [1, 2, 3]\nfor i in range(len(items) + 1):\n    print(items[i])",
    "def add_item(item, items=[]):\n    items.append(item)\n    return items",
    "count = 0\ndef increment():\n    count += 1\nincrement()",
    "let numbers = [1, 2, 3]\nnumbers.append(4)",
    "SELECT name, COUNT(*) FROM orders;",
    "if [ $name == \"admin\" ] then\n  echo hi\nfi",
    "const total = prices.reduce((a, b) => a + b);\nconsole.log(total.toFixed(2))",
    "with open('data.txt') as f:\n    lines = f.readlines\nprint(len(lines))",
]

MATH_TEMPLATES = [
    "{n1} apples cost ${p1:.2f}. How much do {n2} apples cost?",
    "A car travels {d} km in {h} hours. What is its average speed?",
    "Sara has {n1} marbles. She gives {n3} to her brother and buys {n4} more. How many marbles does she have now?",
    "A rectangle is {a} cm long and {b} cm wide. What are its area and perimeter?",
    "A jacket costs ${p2} and is on sale for {pct}% off. What is the sale price?",
    "If {w} workers can paint a fence in {h} hours, how long would it take {w2} workers at the same rate?",
    "A tank holds {v} liters and is filled at {r} liters per minute. How long does it take to fill it from empty?",
    "Tom reads {pg} pages per day. How many days will it take him to finish a {tot}-page book?",
    "The sum of two numbers is {s} and their difference is {df}. What are the two numbers?",
    "A class has {n1} students and {pct}% of them are wearing glasses. How many students wear glasses?",
    "Solve for x: {a}x + {b} = {c}.",
    "What is {pct}% of {tot}?",
    "A pizza is cut into {sl} slices. If {k} friends share it equally, how many slices does each get and how many are left over?",
    "A phone plan costs ${p2} per month plus ${p3:.2f} per gigabyte. How much is the bill for {gb} GB?",
    "A recipe for {k} people uses {g} grams of rice. How much rice is needed for {k2} people?",
    "Anna is {age} years old. Her father is {m} times as old. How old will her father be in {y} years?",
    "A bus leaves every {mins} minutes starting at 6:00. At what time does the {nth}th bus leave?",
    "You invest ${inv} at {ir}% simple annual interest. How much interest do you earn in {y} years?",
    "A square has a perimeter of {per} m. What is its area?",
    "A store sold {n1} items on Monday and {n2} on Tuesday. By what percentage did sales change?",
    "What is the average of {a}, {b}, {c} and {d}?",
    "A circle has a radius of {a} cm. What are its circumference and area?",
    "Convert {d} kilometers to miles and explain the steps.",
    "A farmer has {n1} chickens and cows with {legs} legs in total and {heads} heads. How many of each are there?",
]
MATH_PREFIXES = ["", "", "", "Solve step by step: ", "Answer with a short explanation. ", "Word problem: "]


def math_problems(rng, count):
    out = []
    while len(set(out)) < count:
        t = rng.choice(MATH_TEMPLATES)
        cows = rng.randint(2, 20)
        chickens = rng.randint(2, 30)
        s = rng.randint(20, 120)
        df = rng.randrange(2, s, 2) if s % 2 == 0 else rng.randrange(1, s, 2)
        vals = dict(
            n1=rng.randint(5, 60), n2=rng.randint(5, 80), n3=rng.randint(1, 5), n4=rng.randint(2, 20),
            p1=rng.randint(2, 40) * 0.25, p2=rng.randint(15, 250), p3=rng.randint(1, 40) * 0.25,
            d=rng.randint(40, 900), h=rng.randint(2, 9), a=rng.randint(2, 40), b=rng.randint(2, 40),
            c=rng.randint(41, 200), pct=rng.choice([5, 10, 12, 15, 20, 25, 30, 40, 50, 75]),
            w=rng.randint(2, 8), w2=rng.randint(3, 12), v=rng.randint(50, 2000), r=rng.randint(5, 60),
            pg=rng.randint(8, 60), tot=rng.randint(100, 900), s=s, df=df, sl=rng.choice([6, 8, 10, 12]),
            k=rng.randint(2, 7), k2=rng.randint(3, 15), g=rng.randint(100, 900), gb=rng.randint(1, 30),
            age=rng.randint(4, 15), m=rng.choice([2, 3, 4]), y=rng.randint(2, 12), mins=rng.choice([10, 12, 15, 20, 25, 30]),
            nth=rng.randint(3, 15), inv=rng.randint(5, 100) * 100, ir=rng.choice([2, 3, 4, 5, 6, 8]),
            per=rng.randint(2, 30) * 4, legs=2 * chickens + 4 * cows, heads=chickens + cows,
        )
        vals["c"] = vals["a"] * rng.randint(2, 9) + vals["b"]
        out.append(rng.choice(MATH_PREFIXES) + t.format(**vals))
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------------------
# Mining text shipped with Python / installed packages
# --------------------------------------------------------------------------------------

STDLIB_MODULES = [
    "string", "textwrap", "os.path", "posixpath", "shutil", "statistics", "json", "csv",
    "calendar", "heapq", "bisect", "collections", "fnmatch", "glob", "difflib", "html",
    "urllib.parse", "base64", "ipaddress", "random", "secrets", "uuid", "shlex", "colorsys",
    "fractions", "operator", "functools", "keyword", "tempfile", "zipfile", "email.utils",
    "datetime", "inspect", "pathlib", "pprint", "reprlib", "copy", "locale", "gettext",
    "mimetypes", "netrc", "quopri", "uu", "wave", "filecmp", "linecache", "tokenize",
    "ast", "dis", "pickle", "shelve", "sqlite3", "argparse", "getopt", "logging",
    "logging.handlers", "configparser", "plistlib", "hmac", "hashlib", "zlib", "gzip",
    "bz2", "lzma", "tarfile", "io", "itertools", "math", "cmath", "decimal", "numbers",
    "time", "sched", "queue", "threading", "subprocess", "socket", "ssl", "selectors",
    "http.client", "http.cookies", "urllib.request", "xml.dom.minidom", "xml.etree.ElementTree",
    "webbrowser", "unittest", "doctest", "timeit", "trace", "traceback", "warnings",
    "contextlib", "abc", "enum", "dataclasses", "typing", "weakref", "types", "graphlib",
    "struct", "codecs", "unicodedata", "stringprep", "re", "getpass", "platform", "errno",
]

FUNC_VERBS = ("return", "convert", "split", "join", "compute", "calculate", "create", "make",
              "build", "parse", "encode", "decode", "remove", "find", "test", "check", "format",
              "generate", "copy", "move", "read", "write", "normalize", "escape", "quote",
              "unquote", "wrap", "fill", "indent", "dedent", "compare", "sort", "merge",
              "translate", "get", "extract", "strip", "shorten", "count")


def first_paragraph(doc):
    doc = inspect.cleandoc(doc or "")
    para = doc.split("\n\n")[0].replace("\n", " ").strip()
    return re.sub(r"\s+", " ", para)


def mine_stdlib_functions():
    tasks = []
    seen = set()
    for modname in STDLIB_MODULES:
        try:
            mod = importlib.import_module(modname)
        except Exception:
            continue
        for name, obj in sorted(vars(mod).items()):
            if name.startswith("_") or not callable(obj) or inspect.isclass(obj):
                continue
            if getattr(obj, "__module__", None) not in (mod.__name__, modname, None):
                continue
            para = first_paragraph(getattr(obj, "__doc__", None))
            if not (25 <= len(para) <= 260) or ">>>" in para or "(" in para[:len(name) + 2]:
                continue
            if not para.lower().startswith(FUNC_VERBS):
                continue
            key = (name, para)
            if key in seen:
                continue
            seen.add(key)
            tasks.append((modname, name, para))
    return tasks


STDLIB_FUNC_PHRASES = [
    "Write a Python function named `{name}` that does the following: {desc} Do not use the `{mod}` module.",
    "Implement `{name}` in plain Python. Specification: {desc}",
    "Here is a description of a function: \"{desc}\" Write a Python implementation called `{name}` and show how to call it.",
    "In Python's `{mod}` module, what does `{name}` do? The documentation says: \"{desc}\" Explain it with a short example.",
    "Reimplement the behaviour of `{mod}.{name}` from scratch in Python. The docs describe it as: {desc}",
]


def mine_prose_paragraphs():
    """Prose paragraphs from stdlib module docstrings and installed METADATA files."""
    paras = []
    for modname in STDLIB_MODULES:
        try:
            mod = importlib.import_module(modname)
        except Exception:
            continue
        doc = inspect.cleandoc(getattr(mod, "__doc__", None) or "")
        for p in doc.split("\n\n"):
            paras.append(("stdlib-doc", p))
    try:  # the Python language reference topics that ship with pydoc
        from pydoc_data import topics as pydoc_topics
        for key in sorted(pydoc_topics.topics):
            for p in pydoc_topics.topics[key].split("\n\n"):
                paras.append(("pydoc", p))
    except ImportError:
        pass
    site = pathlib.Path(sysconfig.get_paths()["purelib"])
    for meta in sorted(site.glob("*.dist-info/METADATA")):
        if re.search(r"human.?eval", meta.as_posix(), re.I):
            continue
        try:
            text = meta.read_text(errors="ignore")
        except OSError:
            continue
        body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
        for p in body.split("\n\n"):
            paras.append(("metadata", p))
    out = []
    for src, p in paras:
        p = re.sub(r"\s+", " ", p.strip())
        if not (220 <= len(p) <= 900):
            continue
        letters = sum(ch.isalpha() or ch == " " for ch in p)
        if letters / len(p) < 0.88 or re.search(r"https?://|[<>{}\[\]|=*`#]|\.\. |::", p):
            continue
        if p.count(". ") < 2 or p.startswith(("- ", "* ")) or " - " in p[:80]:
            continue
        out.append(p)
    return sorted(set(out))


CODE_DEFINITION = re.compile(r"\s*(def|class|async def) ")


def code_before(lines, cut, rng):
    """The 10-30 source lines before line `cut` (a def/class), as a raw completion prompt, or
    None unless it reads like a file/section header: 120..1400 characters, at least 5 lines,
    not ending on a def/class line (a function stub)."""
    start = max(0, cut - rng.randint(10, 30))
    text = "\n".join(lines[start:cut]).rstrip()
    if not (120 <= len(text) <= 1400) or text.count("\n") < 4:
        return None
    if CODE_DEFINITION.match(text.splitlines()[-1]):
        return None
    return text + "\n\n"


def stdlib_source_beginnings(rng):
    """Beginnings of stdlib .py files, cut just before a top-level def/class."""
    libdir = pathlib.Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in libdir.glob("*.py") if not p.name.startswith("_"))
    files += sorted(p for p in libdir.glob("*/*.py") if "test" not in p.as_posix() and "idlelib" not in p.as_posix()
                    and not p.name.startswith("_"))
    out = []
    for f in files:
        try:
            lines = f.read_text(errors="ignore").splitlines()
        except OSError:
            continue
        cut_points = [i for i, ln in enumerate(lines[:200]) if i >= 6 and re.match(r"(def|class|async def) ", ln)]
        if not cut_points:
            continue
        prompt = code_before(lines, cut_points[0], rng)
        if prompt is not None:
            out.append(prompt)
    return out


RAW_CODE_STARTS = [
    "#!/usr/bin/env bash\n# Nightly backup script: copies the documents folder to the backup disk\nset -euo pipefail\n\n",
    "#!/bin/sh\n# Simple deploy helper\n\nAPP_DIR=/srv/app\nLOG=/var/log/deploy.log\n\n",
    "-- Schema for a small library database\nCREATE TABLE members (\n    id INTEGER PRIMARY KEY,\n",
    "-- Monthly revenue report\nSELECT\n    strftime('%Y-%m', created_at) AS month,\n",
    "import Foundation\n\n/// A tiny in-memory key-value store used by the demo app.\nfinal class KeyValueStore {\n",
    "import SwiftUI\n\nstruct ContentView: View {\n    @State private var name = \"\"\n\n    var body: some View {\n",
    "// Swift package manifest for a command-line tool\n// swift-tools-version:5.9\nimport PackageDescription\n\n",
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>My Recipes</title>\n",
    "# Project Title\n\nA small command-line tool that converts Markdown notes into a static website.\n\n## Installation\n\n",
    "const express = require('express');\nconst app = express();\n\napp.use(express.json());\n\n",
    "#include <stdio.h>\n#include <stdlib.h>\n\n/* Read numbers from stdin and print their sum. */\nint main(void) {\n",
    "use std::collections::HashMap;\nuse std::io::{self, Read};\n\nfn main() {\n",
    "import argparse\nimport csv\nimport sys\n\n\ndef parse_args():\n    parser = argparse.ArgumentParser(description=\"Summarize a CSV file\")\n",
    "import numpy as np\nimport matplotlib.pyplot as plt\n\nx = np.linspace(0, 10, 200)\n",
    "class Inventory:\n    \"\"\"Keeps track of items in a small shop.\"\"\"\n\n    def __init__(self):\n        self.items = {}\n\n    def add(self, name, quantity):\n",
    "# Makefile for the documentation\n\nSOURCES := $(wildcard docs/*.md)\nOUTPUT  := site\n\n",
    "name: CI\n\non:\n  push:\n    branches: [main]\n  pull_request:\n\njobs:\n  test:\n",
    "[package]\nname = \"wordcount\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n",
]

RAW_PROSE_STARTS = [
    "Once upon a time, in a village at the edge of a great forest,",
    "The history of writing begins",
    "Dear diary, today was the strangest day of my life.",
    "There are three things every new gardener should know.",
    "The old clock in the hallway had not worked for years, until",
    "In the year 2150, the last library on Earth",
    "Chapter 1\n\nThe rain had not stopped for three days when",
    "How to make a perfect omelette:\n\n1.",
    "Climate, culture and geography all shape the food people eat.",
    "The first computers filled entire rooms and",
    "Welcome to our monthly newsletter! This month we",
    "Q: What is the best way to learn a new programming language?\nA:",
    "Ingredients:\n- 2 cups flour\n- 1 cup milk\n- 2 eggs\n\nInstructions:\n",
    "The city woke up slowly. Street vendors",
    "Photosynthesis is the process by which",
    "Meeting notes, Tuesday\n\nAttendees: Ana, Ben, Chloe\n\nAgenda:\n1.",
    "Top 10 tips for staying productive:\n\n1.",
    "It was the kind of morning when",
    "The Roman Empire was one of the largest",
    "My grandfather used to tell a story about",
    "Abstract\n\nWe study the problem of",
    "Frequently Asked Questions\n\nHow do I reset my password?\n",
    "The museum's newest exhibit",
    "Product description: This lightweight backpack",
]

MISC = [
    "Write a short speech for a friend's wedding toast.",
    "Give me a weekly meal plan for a vegetarian on a budget.",
    "Pretend you are a tour guide in Paris and welcome a group of tourists.",
    "Write a product description for a reusable water bottle.",
    "Create a workout plan for a beginner who has 20 minutes a day.",
    "Write a riddle and give the answer.",
    "Tell me a clean joke about computers.",
    "Write the opening paragraph of a mystery novel.",
    "Suggest a name and a slogan for a bike repair shop.",
    "Give me a packing list for a beach holiday.",
    "Write a short bio for a freelance graphic designer.",
    "Explain the rules of rock, paper, scissors.",
    "What questions should I ask before adopting a dog?",
    "Write a short review of an imaginary science fiction movie.",
    "Draft an agenda for a one-hour team planning meeting.",
    "Write a friendly reminder message for a book club meeting.",
    "Describe your ideal weekend in five sentences.",
    "Give me three fun facts about octopuses.",
    "Create a short quiz with three questions about the solar system.",
    "Write a short dialogue between a teacher and a student about homework.",
    "Suggest five questions for an icebreaker game.",
    "Write a short advertisement for a neighborhood garage sale.",
    "Create a simple daily schedule for a student during exam week.",
    "Write an inspiring quote about learning and explain what it means.",
    "Give me a short pep talk before a job interview.",
    "Describe the taste of a lemon to someone who has never had one.",
    "Write instructions for a simple card trick.",
    "Invent a new holiday and describe how people celebrate it.",
    "Write a postcard from a trip to the mountains.",
    "Write a short fable with a moral at the end.",
    "Help me choose between learning the piano or the guitar.",
    "Write a two-paragraph cover letter for a part-time library assistant job.",
    "Write a welcome message for new members of an online cooking forum.",
    "Give me a checklist for moving to a new apartment.",
    "What are good habits for keeping a computer secure?",
    "Describe a typical day in the life of a zookeeper.",
    "Write a short letter to my future self.",
    "Plan a simple picnic menu for six people.",
    "Write a thank-you message to a teacher at the end of the school year.",
    "Give me ideas for a 10-minute talk at a school career day.",
]
QA_TEMPLATES = [
    "What is {t}?", "How does {t} work?", "Why is {t} important?", "Give me three interesting facts about {t}.",
    "What are common misconceptions about {t}?", "Tell me about {t}.", "What is the history of {t}?",
    "Can you explain {t} in one paragraph?",
]
EXPLAIN_TEMPLATES = [
    "Explain {t} in simple terms.", "Explain {t} to a child.", "Explain {t} using an analogy.",
    "Explain {t} to a high school student in two short paragraphs.",
    "Write a short encyclopedia-style entry about {t}.", "What should a beginner know about {t}?",
    "Describe {t} in five bullet points.",
]
HOWTO_TEMPLATES = [
    "How do I {t}?", "Give me step-by-step instructions to {t}.", "What are some tips to {t}?",
    "I want to {t}. Where should I start?", "What are common mistakes people make when they try to {t}?",
]
CREATIVE_TEMPLATES = [
    ("story", "Write a short story about {c} who {e}."),
    ("story", "Tell me a bedtime story about {c} who {e}."),
    ("story", "Write a one-paragraph story in which {c} {e}."),
    ("poem", "Write a poem about {p}."),
    ("poem", "Write a haiku about {p}."),
    ("poem", "Write a short rhyming poem about {p} for children."),
    ("poem", "Write a sonnet about {p}."),
    ("scene", "Describe {pl} at {tm}."),
    ("scene", "Write a diary entry from someone visiting {pl}."),
]
HAND_PARAGRAPHS = [
    "Community gardens have spread quickly in many cities over the last twenty years. They turn empty lots into shared plots where neighbours grow vegetables, herbs and flowers. Supporters say the gardens improve diets, bring people of different ages together and make streets feel safer. Critics point out that the land is often leased only for a few years, so gardeners can lose their work when a developer buys the lot. Some cities have responded by protecting a few gardens permanently as public parks.",
    "The company reported that sales of its kitchen appliances rose by twelve percent in the last quarter, mostly because of strong demand for small air fryers. Profits, however, fell slightly, because shipping costs and the price of steel both went up. The chief executive said the firm would open a new factory next year to reduce its dependence on overseas suppliers. Shares rose three percent after the announcement.",
    "Sleep researchers recommend that adults get between seven and nine hours of sleep each night. Regular bedtimes, a dark and cool bedroom, and avoiding screens in the hour before bed all help. Caffeine can stay in the body for many hours, so an afternoon coffee may still affect sleep at night. Short naps of twenty minutes can improve alertness, but long naps late in the day can make it harder to fall asleep.",
    "When the small town's only bookshop announced that it would close, a group of regular customers decided to buy it together. Forty people each contributed a small amount of money and agreed to volunteer one afternoon a month. Two years later the shop is still open. It hosts reading groups, a children's story hour and a monthly quiz, and it has become a meeting place for the whole town.",
    "Electric scooters have become a common sight in many cities. They are cheap to rent and useful for short trips, and they produce no exhaust. But they have also caused problems: riders sometimes leave them on pavements where they block pedestrians, and injuries have increased. Several cities now require scooters to be parked in marked zones and limit their speed in crowded areas.",
    "The museum's new exhibition explores how people kept time before clocks were common. It includes sundials from several continents, water clocks, candles marked with hours and the first pocket watches. Visitors can try to tell the time using a replica sundial in the courtyard. The curators hope the exhibition will show that measuring time has always been tied to daily work, religion and trade.",
    "Learning a musical instrument as an adult is different from learning as a child. Adults often progress quickly at first because they understand theory and can practise deliberately, but they may be more self-conscious and have less free time. Teachers recommend short daily practice sessions, choosing pieces the learner enjoys, and recording progress so that small improvements are easy to notice.",
    "Our team spent the last sprint rewriting the search feature. The old version loaded every record into memory before filtering, which made it slow for large accounts. The new version sends the filter to the database and returns results page by page. In testing, searches that used to take eight seconds now finish in under half a second. We still need to update the documentation and add tests for a few edge cases.",
    "Many birds migrate thousands of kilometres each year between their breeding and wintering grounds. They navigate using the position of the sun, the pattern of the stars, the Earth's magnetic field and familiar landmarks. Young birds of some species make their first migration alone and still find the right destination, which suggests that part of the route is inherited rather than learned.",
    "The city council approved a plan to plant ten thousand trees over the next five years. Most will be planted along busy streets and in school playgrounds, where shade is most needed in summer. Residents can also ask for a free tree to be planted outside their homes. The council estimates that the trees will lower summer street temperatures by up to two degrees once they are fully grown.",
    "A good recipe is more than a list of ingredients. It tells the cook what the finished dish should look and taste like, warns about steps that are easy to get wrong, and explains why each step matters. Recipes written this way help beginners learn to cook by understanding rather than by copying, and they make it easier to adapt a dish when an ingredient is missing.",
    "Remote work changed how many offices use their space. With fewer people at their desks every day, some companies replaced rows of desks with meeting rooms and quiet booths. Others moved to smaller buildings to save on rent. Employees generally value the flexibility, but managers report that training new staff and building team spirit is harder when people rarely meet in person.",
]
SUMMARY_TEMPLATES = [
    "Summarize the following text in two sentences:\n\n{p}",
    "Give a one-sentence summary of this passage:\n\n{p}",
    "What are the key points of the following passage? Use bullet points.\n\n{p}",
    "Read this paragraph and explain it in simpler words:\n\n{p}",
    "Write a short title for this text:\n\n{p}",
    "TL;DR:\n\n{p}",
]


# --------------------------------------------------------------------------------------


def build(seed):
    rng = random.Random(seed)
    cats = collections.OrderedDict()

    def add(cat, prompt, chat=True):
        cats.setdefault(cat, []).append({"prompt": prompt, "chat": chat})

    # Q&A and explanations
    for t in TOPICS:
        for tpl in rng.sample(QA_TEMPLATES, 2):
            add("qa", tpl.format(t=t))
        for tpl in rng.sample(EXPLAIN_TEMPLATES, 1):
            add("explanation", tpl.format(t=t))
    for a, b in COMPARE_PAIRS:
        add("explanation", rng.choice([
            "What is the difference between {a} and {b}?", "Compare {a} and {b}.",
            "How is {a} different from {b}? Give examples.", "{A} or {b}: what are the pros and cons of each?",
        ]).format(a=a, b=b, A=a[0].upper() + a[1:]))

    # Instructions / how-to
    for t in HOWTO_TASKS:
        for tpl in rng.sample(HOWTO_TEMPLATES, 3):
            add("instruction", tpl.format(t=t))

    # Creative writing
    for _ in range(420):
        kind, tpl = rng.choice(CREATIVE_TEMPLATES)
        add("creative", tpl.format(c=rng.choice(CHARACTERS), e=rng.choice(EVENTS), p=rng.choice(POEM_SUBJECTS),
                                   pl=rng.choice(PLACES), tm=rng.choice(TIMES)))

    # Emails, lists, classification, misc
    for o in EMAIL_OCCASIONS:
        add("email/letter", rng.choice(["Write an email to {o}.", "Draft a short, polite message to {o}.",
                                        "Help me write a note to {o}."]).format(o=o))
        add("email/letter", "Write a short and friendly text message to {o}.".format(o=o))
    for l in LIST_REQUESTS:
        add("list/brainstorm", rng.choice(["List {l}.", "Give me {l}.", "Can you suggest {l}?", "Brainstorm {l}."]).format(l=l))
    for r in REVIEWS:
        add("classification", f"Is the following review positive, negative or neutral? Explain briefly.\n\nReview: \"{r}\"")
        add("classification", f"Write a polite reply from the business to this customer review: \"{r}\"")
    for m in MISC:
        add("misc", m)

    # Rewriting
    for s in SENTENCES:
        for style in rng.sample(REWRITE_STYLES, 4):
            add("rewriting", f"{style}\n\n\"{s}\"")

    # Math word problems
    for p in math_problems(rng, 330):
        add("math", p)

    # Code: Python (hand-written tasks)
    for t in PY_TASKS:
        for ph in rng.sample(PY_PHRASES, 2):
            add("code-python", ph.format(t=t))
    # Code: Python (stdlib docstrings)
    mined = mine_stdlib_functions()
    rng.shuffle(mined)
    for mod, name, desc in mined[:260]:
        add("code-python-stdlib", rng.choice(STDLIB_FUNC_PHRASES).format(mod=mod, name=name, desc=desc))
    # Code: other languages
    for t in SHELL_TASKS:
        for ph in rng.sample(SHELL_PHRASES, 2):
            add("code-shell", ph.format(t=t))
    for a, b in SQL_SCHEMAS:
        for t in SQL_TASKS:
            add("code-sql", rng.choice(SQL_PHRASES).format(a=a, b=b, t=t))
    for t in SWIFT_TASKS:
        for ph in rng.sample(SWIFT_PHRASES, 2):
            add("code-swift", ph.format(t=t))
    for t in JS_TASKS:
        add("code-other", f"Write a JavaScript function that {t}.")
    for t in C_TASKS:
        add("code-other", f"Write a C program that {t}.")
    for t in RUST_TASKS:
        add("code-other", f"Write a Rust program that {t}.")
    for q in CODE_EXPLAIN:
        add("code-explain", q)
    for snip in BUGGY_SNIPPETS:
        add("code-explain", rng.choice(["Find and fix the bug in this code:", "What is wrong with this code?",
                                        "This code does not work as expected. Explain why and fix it:"])
            + f"\n\n```\n{snip}\n```")
    # Code translation between languages (hand-written snippets)
    for snip in BUGGY_SNIPPETS[:4]:
        add("code-explain", f"Explain line by line what this code does:\n\n```\n{snip}\n```")

    # Summaries (mined prose)
    for p in HAND_PARAGRAPHS:
        for tpl in rng.sample(SUMMARY_TEMPLATES, 3):
            add("summary", tpl.format(p=p))
    paras = mine_prose_paragraphs()
    rng.shuffle(paras)
    for p in paras[:110]:
        add("summary", rng.choice(SUMMARY_TEMPLATES).format(p=p))
    for p in paras[110:150]:
        add("rewriting", rng.choice(["Rewrite this paragraph in plain English:\n\n{p}",
                                     "Shorten this paragraph to about half its length:\n\n{p}",
                                     "Turn this paragraph into three bullet points:\n\n{p}"]).format(p=p))

    # Raw completion prompts (chat=false)
    for s in RAW_CODE_STARTS:
        add("raw-code", s, chat=False)
    src = stdlib_source_beginnings(rng)
    rng.shuffle(src)
    for s in src[:220]:
        add("raw-code", s, chat=False)
    for s in RAW_PROSE_STARTS:
        add("raw-prose", s, chat=False)
    for p in HAND_PARAGRAPHS:
        add("raw-prose", p.split(". ")[0] + ".", chat=False)
    for p in paras[150:] + paras[:80]:
        sents = re.split(r"(?<=[.!?]) ", p)
        k = rng.randint(1, max(1, min(3, len(sents) - 1)))
        add("raw-prose", " ".join(sents[:k]).strip(), chat=False)

    # Filter + dedupe
    seen = set()
    final = collections.OrderedDict()
    dropped = collections.Counter()
    for cat, items in cats.items():
        for it in items:
            key = re.sub(r"\W+", " ", it["prompt"].lower()).strip()
            if blocked(it["prompt"]):
                dropped["blocked"] += 1
                continue
            if key in seen:
                dropped["duplicate"] += 1
                continue
            seen.add(key)
            final.setdefault(cat, []).append(it)
    return final, dropped


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(HERE / "prompts" / "train.jsonl"))
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    cats, dropped = build(args.seed)
    rng = random.Random(args.seed + 1)
    rows = [dict(it, category=cat) for cat, items in cats.items() for it in items]
    rng.shuffle(rows)
    heldout = [json.loads(l)["prompt"] for l in (HERE / "prompts" / "heldout_chat.jsonl").read_text().splitlines() if l.strip()]
    train_set = {r["prompt"].strip().lower() for r in rows}
    assert not any(h.strip().lower() in train_set for h in heldout), "held-out prompt leaked into train"
    with open(args.out, "w") as f:
        for r in rows:
            f.write(json.dumps({"prompt": r["prompt"], "chat": r["chat"]}, ensure_ascii=False) + "\n")
    size = pathlib.Path(args.out).stat().st_size
    print(f"wrote {len(rows)} prompts to {args.out} ({size/1024:.0f} KiB); dropped {dict(dropped)}", file=sys.stderr)
    for cat, items in cats.items():
        print(f"  {cat:22s} {len(items):5d}  (chat={sum(i['chat'] for i in items)})", file=sys.stderr)
    print(f"  {'TOTAL':22s} {len(rows):5d}  (chat={sum(r['chat'] for r in rows)}, raw={sum(not r['chat'] for r in rows)})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
