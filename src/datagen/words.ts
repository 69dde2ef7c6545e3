/** Word lists the generator draws names from. A few carry accents to exercise \u escapes and byte lengths. */

export const TITLE_WORDS = [
  'Midnight', 'River', 'Echo', 'Paper', 'Golden', 'Silent', 'Neon', 'Highway', 'Summer', 'Ghost',
  'Velvet', 'Thunder', 'Garden', 'Mirror', 'Ocean', 'Broken', 'Electric', 'Lonely', 'Morning', 'Fire',
  'Winter', 'Dancing', 'Stone', 'Heart', 'Satellite', 'Crystal', 'Wild', 'Shadow', 'Sugar', 'Radio',
  'Café', 'Niño', 'Señorita', 'Déjà Vu', 'Über', 'Ångström', 'Corazón', 'Mañana', 'Fiancé', 'Naïve',
];

export const TITLE_SUFFIXES = [
  '', '', '', '', ' (Remix)', ' (Live)', ' (Album Version)', ' (Radio Edit)', " (feat. DJ O'Neil)", ' [Demo]',
];

export const ARTIST_FIRST = [
  'The', 'Los', 'DJ', 'Little', 'Big', 'Saint', 'Captain', 'Doctor', 'Lady', 'Young',
  'Mister', 'Royal', 'Velvet', 'Cosmic', 'Black', 'Silver', 'Électrique', 'Sigur', 'Mötley', 'Björn',
];

export const ARTIST_LAST = [
  'Owls', 'Rivers', 'Machines', 'Foxes', 'Pilots', 'Kings', 'Sparrows', 'Lanterns', 'Wolves', 'Comets',
  'Harbor', 'Strangers', 'Giants', 'Tigers', 'Monks', 'Cowboys', 'Sisters', 'Brothers', 'Orchestra', 'Trio',
];

export const FIRST_NAMES_F = ['Kaylee', 'Lily', 'Chloe', 'Tegan', 'Jacqueline', 'Aleena', 'Ava', 'Jizelle', 'Mohammad', 'Layla'];
export const FIRST_NAMES_M = ['Walter', 'Jayden', 'Elijah', 'Ryan', 'Jacob', 'Kevin', 'Matthew', 'Aiden', 'Sean', 'Wyatt'];
export const LAST_NAMES = ['Frye', 'Summers', 'Koch', 'Levine', 'Lynch', 'Kirby', 'Fox', 'Davis', "O'Brien", 'Smith', 'Nguyen', 'García'];

export const LOCATIONS = [
  'San Francisco-Oakland-Hayward, CA', 'Phoenix-Mesa-Scottsdale, AZ', 'Detroit-Warren-Dearborn, MI',
  'New Orleans-Metairie, LA', 'Chicago-Naperville-Elgin, IL-IN-WI', 'Portland-South Portland, ME',
  'Atlanta-Sandy Springs-Roswell, GA', 'Lansing-East Lansing, MI', 'Tampa-St. Petersburg-Clearwater, FL',
];

export const ARTIST_LOCATIONS = ['Nashville, TN.', 'London, England', 'Montréal, QC', 'Berlin', 'Reykjavík, Iceland', 'Austin, TX'];

/** Real user agents carry literal double quotes around them; the quotes are part of the value. */
export const USER_AGENTS = [
  '"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36"',
  '"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0.1916.153 Safari/537.36"',
  'Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0',
  '"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53"',
];
