package text

import "strings"

// SubjectWords are long names of university subjects that a sentence
// model's vocabulary often splits into pieces ("thermo", "##dynamics"), so
// a misspelling of them ("Thermodynamcis") still has a word to be
// corrected to when the catalog does not use it.
var SubjectWords = strings.Fields(`thermodynamics biochemistry microbiology microeconomics macroeconomics
econometrics epidemiology pharmacology pathophysiology neuroscience neurobiology kinesiology physiology
immunology toxicology histology embryology endocrinology cardiology radiology dermatology psychiatry
pediatrics obstetrics gynecology orthopedics anesthesiology ophthalmology oncology hematology
electromagnetism electrodynamics aerodynamics hydrodynamics astrophysics geophysics biophysics
crystallography spectroscopy stoichiometry electrochemistry photosynthesis anthropology archaeology
paleontology sociology criminology linguistics phonetics phonology morphology semantics pragmatics
philosophy epistemology metaphysics ethnography historiography cartography oceanography meteorology
climatology hydrology geology mineralogy petrology seismology volcanology ecology entomology ornithology
herpetology ichthyology mycology botany zoology genetics genomics proteomics bioinformatics biostatistics
statistics probability calculus trigonometry geometry algebra combinatorics topology cryptography
programming algorithms architecture accounting entrepreneurship marketing management journalism
choreography cinematography photography typography calligraphy animation orchestration composition
counterpoint harmony musicology ethnomusicology pedagogy psychology psychotherapy rehabilitation
physiotherapy nutrition dietetics nursing midwifery pharmacy dentistry veterinary agriculture horticulture
forestry sustainability engineering mechatronics robotics thermofluids biomechanics nanotechnology`)
